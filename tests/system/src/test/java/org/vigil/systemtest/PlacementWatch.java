package org.vigil.systemtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Samples, every ~50 ms (or a period the test chooses), where each watched thing is: for each virtual address,
 * the node namespaces that have it as a local address while their eth0 is up (a machine whose cables are pulled
 * or whose power is off answers for nothing; see {@link #addressesUp}); for the shared disk, the nodes whose
 * JVM's mount namespace (the namespace the node and every program it starts live in) has it mounted
 * ({@code /proc/PID/mountinfo}). It records every change and every sampled instant at which one thing was on
 * both nodes.
 */
final class PlacementWatch extends Watch<Map<String, Set<String>>> {

    static final long PERIOD_MILLIS = 50;

    private final NetnsTopology net;
    private final NetnsNodes nodes;
    private final SharedLoopDisk disk;
    private final Map<String, String> vips;
    private final Map<String, Process> helpers;

    /** @param vips name (e.g. "office-ip") to address; @param disk the shared disk to watch, or null for addresses only */
    PlacementWatch(NetnsTopology net, NetnsNodes nodes, SharedLoopDisk disk, Map<String, String> vips) {
        this(net, nodes, disk, vips, PERIOD_MILLIS);
    }

    /** As above, sampling every {@code periodMillis} (a finer check of "never on both"). */
    PlacementWatch(NetnsTopology net, NetnsNodes nodes, SharedLoopDisk disk, Map<String, String> vips, long periodMillis) {
        super("placement watch", periodMillis);
        this.net = net;
        this.nodes = nodes;
        this.disk = disk;
        this.vips = vips;
        this.helpers = startHelpers(net);
        begin();
    }

    @Override
    boolean isOverlap(Map<String, Set<String>> where) {
        return where.values().stream().anyMatch(s -> s.size() > 1);
    }

    @Override
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
        if (disk == null) { // a watch of addresses only
            return out;
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
        return current();
    }

    Set<String> where(String thing) {
        return now().getOrDefault(thing, Set.of());
    }

    /** @return every distinct placement of {@code thing} sampled at or after {@code fromMillis} (with the one before) */
    List<Set<String>> placementsSince(String thing, long fromMillis) {
        check();
        List<Set<String>> out = new ArrayList<>();
        Sample<Map<String, Set<String>>> before = null;
        for (Sample<Map<String, Set<String>>> s : changes()) {
            if (s.atMillis() <= fromMillis) { // the state at fromMillis
                before = s;
                continue;
            }
            if (before != null) {
                out.add(before.state().get(thing));
                before = null;
            }
            Set<String> w = s.state().get(thing);
            if (out.isEmpty() || !out.get(out.size() - 1).equals(w)) {
                out.add(w);
            }
        }
        if (before != null) {
            out.add(before.state().get(thing));
        }
        return out;
    }

    @Override
    public void close() {
        super.close();
        for (Process h : helpers.values()) {
            h.destroyForcibly();
        }
    }
}
