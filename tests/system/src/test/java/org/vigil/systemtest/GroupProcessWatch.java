package org.vigil.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Watches the real processes that run one script (as {@code process} resources of several groups): every
 * ~20 ms it reads /proc for processes whose command line names the script, and which node and group started
 * each ({@code VIGIL_NODE}, {@code VIGIL_GROUP} in its environment; a process without both, such as the client
 * command that defined the resource, is not a group's program). A sample with a group on two nodes is an
 * overlap.
 */
final class GroupProcessWatch extends Watch<Map<String, Set<String>>> {

    private final String script;

    /** @param script the script the groups' programs run */
    GroupProcessWatch(Path script) {
        super("group process watch", 20);
        this.script = script.toString();
        begin();
    }

    @Override
    boolean isOverlap(Map<String, Set<String>> byGroup) {
        return byGroup.values().stream().anyMatch(nodes -> nodes.size() > 1);
    }

    /** One scan of /proc: group to the nodes running its program. */
    @Override
    Map<String, Set<String>> sample() {
        Map<String, Set<String>> out = new TreeMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                if (!read(proc.resolve("cmdline")).contains(script)) {
                    continue;
                }
                String stat = read(proc.resolve("stat"));
                int paren = stat.lastIndexOf(')');
                if (paren < 0 || stat.length() < paren + 3 || "ZX".indexOf(stat.charAt(paren + 2)) >= 0) {
                    continue;
                }
                String environ = read(proc.resolve("environ"));
                if (environ.isEmpty()) {
                    continue; // it ended between the two reads: it runs nowhere now
                }
                String node = null;
                String group = null;
                for (String var : environ.split("\0")) {
                    if (var.startsWith("VIGIL_NODE=")) {
                        node = var.substring("VIGIL_NODE=".length());
                    } else if (var.startsWith("VIGIL_GROUP=")) {
                        group = var.substring("VIGIL_GROUP=".length());
                    }
                }
                if (node == null || group == null) {
                    // not a group's program: e.g. the admin's bin/client whose command line names the script
                    // (resource-add ... command=/bin/sh <script>) while it is still running
                    continue;
                }
                out.computeIfAbsent(group, k -> new TreeSet<>()).add(node);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return out;
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // the process ended meanwhile
        }
    }

    /** @return group to the nodes that ran it at the last sample */
    Map<String, Set<String>> now() {
        return current();
    }
}
