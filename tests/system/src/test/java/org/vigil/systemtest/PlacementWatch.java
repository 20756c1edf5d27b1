package org.vigil.systemtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Samples, every ~50 ms, where each watched thing is: for each virtual address, the node namespaces that have
 * it as a local address while their eth0 is up (a machine whose cables are pulled or whose power is off
 * answers for nothing; see {@link #addressesUp}); for the shared disk, the nodes whose JVM's mount
 * namespace (the namespace the node and every program it starts live in) has it mounted
 * ({@code /proc/PID/mountinfo}). It records every change and every sampled instant at which one thing was on
 * both nodes.
 */
final class PlacementWatch implements AutoCloseable {

    record Sample(long atMillis, Map<String, Set<String>> where) {
        @Override
        public String toString() {
            return atMillis + " " + where;
        }
    }

    static final long PERIOD_MILLIS = 50;

    private final NetnsTopology net;
    private final NetnsNodes nodes;
    private final SharedLoopDisk disk;
    private final Map<String, String> vips;
    private final Map<String, Process> helpers;
    private final Thread thread;
    private final List<Sample> changes = Collections.synchronizedList(new ArrayList<>());
    private final List<Sample> overlaps = Collections.synchronizedList(new ArrayList<>());
    private volatile Map<String, Set<String>> current = Map.of();
    private volatile long samples;
    private volatile long maxGapMillis;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /** @param vips name (e.g. "office-ip") to address */
    PlacementWatch(NetnsTopology net, NetnsNodes nodes, SharedLoopDisk disk, Map<String, String> vips) {
        this.net = net;
        this.nodes = nodes;
        this.disk = disk;
        this.vips = vips;
        this.helpers = startHelpers(net);
        current = sample();
        changes.add(new Sample(System.currentTimeMillis(), current));
        thread = new Thread(this::loop, "placement-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long last = System.nanoTime();
        try {
            while (running) {
                Map<String, Set<String>> now = sample();
                long t = System.currentTimeMillis();
                long mono = System.nanoTime();
                maxGapMillis = Math.max(maxGapMillis, (mono - last) / 1_000_000);
                last = mono;
                samples++;
                if (!now.equals(current)) {
                    changes.add(new Sample(t, now));
                    current = now;
                }
                if (now.values().stream().anyMatch(s -> s.size() > 1)) {
                    overlaps.add(new Sample(t, now));
                }
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
        }
    }

    Map<String, Set<String>> sample() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Map<String, Set<String>> up = new LinkedHashMap<>();
        for (String node : List.of("node1", "node2")) {
            up.put(node, addressesUp(node));
        }
        for (Map.Entry<String, String> vip : vips.entrySet()) {
            Set<String> on = new TreeSet<>();
            up.forEach((node, addrs) -> {
                if (addrs.contains(vip.getValue())) {
                    on.add(node);
                }
            });
            out.put(vip.getKey(), on);
        }
        Set<String> mounted = new TreeSet<>();
        for (String node : List.of("node1", "node2")) {
            long pid = nodes.jvmPid(node);
            if (pid > 0) {
                try {
                    if (disk.mountedIn(Files.readString(Path.of("/proc/" + pid + "/mountinfo"), StandardCharsets.UTF_8))) {
                        mounted.add(node);
                    }
                } catch (java.io.IOException e) {
                    // the JVM ended meanwhile: its mount namespace is gone with it and every program it started
                }
            }
        }
        out.put("disk", mounted);
        return out;
    }

    /**
     * In-process, no fork (a fork per sample stretched the period to 700 ms while a node JVM started): the
     * namespace's local IPv4 addresses from {@code /proc/HELPER/net/fib_trie}, kept only when eth0 (the
     * interface the ip resources use) is administratively up, from the namespace's own sysfs
     * ({@code /proc/HELPER/root/sys/class/net/eth0/flags}). HELPER is a process of the test's in that namespace.
     * Falls back to {@code ip -n NS -o -4 addr show up} when the helper is gone.
     */
    private Set<String> addressesUp(String node) {
        Process h = helpers.get(node);
        if (h == null || !h.isAlive()) {
            return net.addressesUp(net.nodeNs(node));
        }
        try {
            String flags = Files.readString(Path.of("/proc/" + h.pid() + "/root/sys/class/net/eth0/flags")).strip();
            if ((Long.decode(flags) & 1) == 0) {
                return Set.of();
            }
            Set<String> out = new TreeSet<>();
            String[] lines = Files.readString(Path.of("/proc/" + h.pid() + "/net/fib_trie")).split("\n");
            for (int i = 0; i + 1 < lines.length; i++) {
                int dash = lines[i].indexOf("|-- ");
                if (dash >= 0 && lines[i + 1].contains("/32 host LOCAL")) {
                    out.add(lines[i].substring(dash + 4).strip());
                }
            }
            return out;
        } catch (java.io.IOException | RuntimeException e) {
            return net.addressesUp(net.nodeNs(node));
        }
    }

    /** Starts a process (cat, reading a pipe from this JVM: it ends when this JVM does) in each node's namespace. */
    private static Map<String, Process> startHelpers(NetnsTopology net) {
        Map<String, Process> out = new LinkedHashMap<>();
        for (String node : List.of("node1", "node2")) {
            try {
                Process p = new ProcessBuilder("ip", "netns", "exec", net.nodeNs(node), "cat")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                out.put(node, p);
            } catch (java.io.IOException e) {
                // the fallback (ip addr show) is used
            }
        }
        // ip netns exec execs cat: wait until the pid is in the namespace (its sysfs shows eth0)
        long end = System.nanoTime() + 5_000_000_000L;
        for (Process p : out.values()) {
            while (System.nanoTime() < end && !Files.exists(Path.of("/proc/" + p.pid() + "/root/sys/class/net/eth0"))) {
                Lab.sleep(10);
            }
        }
        return out;
    }

    /** @return where each thing was at the last sample */
    Map<String, Set<String>> now() {
        check();
        return current;
    }

    Set<String> where(String thing) {
        return now().getOrDefault(thing, Set.of());
    }

    List<Sample> overlaps() {
        check();
        synchronized (overlaps) {
            return List.copyOf(overlaps);
        }
    }

    List<Sample> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    /** @return every distinct placement of {@code thing} sampled at or after {@code fromMillis} (with the one before) */
    List<Set<String>> placementsSince(String thing, long fromMillis) {
        check();
        List<Set<String>> out = new ArrayList<>();
        synchronized (changes) {
            Sample before = null;
            for (Sample s : changes) {
                if (s.atMillis() <= fromMillis) { // the state at fromMillis
                    before = s;
                    continue;
                }
                if (before != null) {
                    out.add(before.where().get(thing));
                    before = null;
                }
                Set<String> w = s.where().get(thing);
                if (out.isEmpty() || !out.get(out.size() - 1).equals(w)) {
                    out.add(w);
                }
            }
            if (before != null) {
                out.add(before.where().get(thing));
            }
        }
        return out;
    }

    String stats() {
        return samples + " samples, longest gap " + maxGapMillis + " ms";
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("the placement watch failed", failure);
        }
        if (!thread.isAlive() && running) {
            throw new IllegalStateException("the placement watch stopped");
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
        for (Process h : helpers.values()) {
            h.destroyForcibly();
        }
    }
}
