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
final class ServiceWatch extends Watch<Map<String, List<Long>>> {

    static final long PERIOD_MILLIS = 20;

    private final String script;
    private final String port;

    /**
     * @param script the absolute path of the demo script the lab's resource runs
     * @param port   the port it serves on
     */
    ServiceWatch(Path script, int port) {
        super("service watch on port " + port, PERIOD_MILLIS);
        this.script = script.toString();
        this.port = Integer.toString(port);
        begin();
    }

    @Override
    boolean isOverlap(Map<String, List<Long>> byNode) {
        return byNode.size() > 1;
    }

    /** One scan of /proc: node name to the pids of the demo service it runs. */
    @Override
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
        return current().keySet();
    }

    /** @return the service's pids on that node at the last sample */
    List<Long> pidsOn(String node) {
        return current().getOrDefault(node, List.of());
    }

    /** @return every node that ran the service at some sample taken at or after {@code fromMillis} */
    Set<String> nodesSeenSince(long fromMillis) {
        check();
        Set<String> out = new TreeSet<>();
        Sample<Map<String, List<Long>>> before = null;
        for (Sample<Map<String, List<Long>>> c : changes()) {
            if (c.atMillis() < fromMillis) {
                before = c;
            } else {
                out.addAll(c.state().keySet());
            }
        }
        if (before != null) {
            out.addAll(before.state().keySet());
        }
        return out;
    }
}
