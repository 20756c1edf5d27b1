package org.vigil.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Watches the real processes of the demo web service: every ~20 ms it reads /proc for python processes running
 * the lab's {@code vigil-demo-web.py} on the given port, and takes the node each belongs to from
 * {@code VIGIL_NODE} in its environment. It records every change and every sampled instant at which the
 * service ran on more than one node.
 */
final class ServiceWatch implements AutoCloseable {

    /** One change of where the service runs: at this wall-clock time, these nodes ran these pids. */
    record Change(long atMillis, Map<String, List<Long>> byNode) {
        @Override
        public String toString() {
            return atMillis + " " + byNode;
        }
    }

    static final long PERIOD_MILLIS = 20;

    private final String script;
    private final String port;
    private final Thread thread;
    private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());
    private final List<Change> overlaps = Collections.synchronizedList(new ArrayList<>());
    private volatile Map<String, List<Long>> current = Map.of();
    private volatile long samples;
    private volatile long maxGapMillis;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param script the absolute path of the demo script the lab's resource runs
     * @param port   the port it serves on
     */
    ServiceWatch(Path script, int port) {
        this.script = script.toString();
        this.port = Integer.toString(port);
        this.thread = new Thread(this::loop, "service-watch-" + port);
        thread.setDaemon(true);
        Map<String, List<Long>> first = sample();
        current = first;
        changes.add(new Change(System.currentTimeMillis(), first));
        thread.start();
    }

    private void loop() {
        long last = System.nanoTime();
        try {
            while (running) {
                Map<String, List<Long>> now = sample();
                long t = System.currentTimeMillis();
                long mono = System.nanoTime();
                maxGapMillis = Math.max(maxGapMillis, (mono - last) / 1_000_000);
                last = mono;
                samples++;
                if (!now.equals(current)) {
                    changes.add(new Change(t, now));
                    current = now;
                }
                if (now.size() > 1) {
                    overlaps.add(new Change(t, now));
                }
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** One scan of /proc: node name to the pids of the demo service it runs. */
    Map<String, List<Long>> sample() {
        Map<String, List<Long>> out = new TreeMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                String[] argv = read(proc.resolve("cmdline")).split("\0");
                if (argv.length < 4 || !Path.of(argv[0]).getFileName().toString().startsWith("python")
                        || !List.of(argv).contains(script) || !argv[argv.length - 1].equals(port)) {
                    continue;
                }
                String stat = read(proc.resolve("stat"));
                int paren = stat.lastIndexOf(')');
                if (paren < 0 || stat.length() < paren + 3 || "ZX".indexOf(stat.charAt(paren + 2)) >= 0) {
                    continue; // gone, or a zombie: not running any more
                }
                String node = "?";
                for (String var : read(proc.resolve("environ")).split("\0")) {
                    if (var.startsWith("VIGIL_NODE=")) {
                        node = var.substring("VIGIL_NODE=".length());
                    }
                }
                out.computeIfAbsent(node, k -> new ArrayList<>()).add(Long.parseLong(proc.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        out.values().forEach(Collections::sort);
        return out;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // the process ended meanwhile, or is not ours
        }
    }

    /** @return the nodes running the service at the last sample */
    Set<String> nodesNow() {
        check();
        return current.keySet();
    }

    /** @return the service's pids on that node at the last sample */
    List<Long> pidsOn(String node) {
        check();
        return current.getOrDefault(node, List.of());
    }

    /** @return every sampled instant at which more than one node ran the service */
    List<Change> overlaps() {
        check();
        synchronized (overlaps) {
            return List.copyOf(overlaps);
        }
    }

    /** @return every change of where the service ran */
    List<Change> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    /** @return every node that ran the service at some sample taken at or after {@code fromMillis} */
    Set<String> nodesSeenSince(long fromMillis) {
        check();
        Set<String> out = new TreeSet<>();
        synchronized (changes) {
            Change before = null;
            for (Change c : changes) {
                if (c.atMillis() < fromMillis) {
                    before = c;
                } else {
                    out.addAll(c.byNode().keySet());
                }
            }
            if (before != null) {
                out.addAll(before.byNode().keySet());
            }
        }
        return out;
    }

    /** @return how many samples were taken, and the longest gap between two (ms) */
    String stats() {
        return samples + " samples, longest gap " + maxGapMillis + " ms";
    }

    long maxGapMillis() {
        return maxGapMillis;
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("the service watch failed", failure);
        }
        if (!thread.isAlive() && running) {
            throw new IllegalStateException("the service watch stopped");
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
