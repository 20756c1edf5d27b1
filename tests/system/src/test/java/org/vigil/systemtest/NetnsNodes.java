package org.vigil.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Two real Vigil nodes, each inside its own network namespace, driven only through {@code scripts/vigil-lab}
 * in its namespace mode ({@code VIGIL_LAB_NETNS}: start runs {@code bin/karaf server} with ip netns exec, cli
 * reaches each node's SSH console on its namespace's 127.0.0.1) with two udp heartbeat paths
 * ({@code VIGIL_LAB_PATHS}: {@code pub} on the public network, {@code priv} on the private one).
 */
final class NetnsNodes implements AutoCloseable {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");

    private final Path dir;
    private final Path script;
    private final Map<String, String> env = new HashMap<>();
    private volatile boolean open = true;

    NetnsNodes(Path dir, Path dist, NetnsTopology net, int sshBase, int udpBase) {
        this.dir = dir;
        this.script = Prerequisites.scripts().resolve("vigil-lab");
        env.put("VIGIL_DIST", dist.toString());
        env.put("VIGIL_LAB_SSH_BASE", Integer.toString(sshBase));
        env.put("VIGIL_LAB_UDP_BASE", Integer.toString(udpBase));
        if (net != null) { // null: only for 'down', which acts by recorded pid
            env.put("VIGIL_LAB_NETNS", "node1=" + net.nodeNs("node1") + " node2=" + net.nodeNs("node2"));
            env.put("VIGIL_LAB_PATHS", "pub=" + net.pubAddress("node1") + "," + net.pubAddress("node2") + " priv="
                    + net.privAddress("node1") + "," + net.privAddress("node2"));
        }
    }

    Path dir() {
        return dir;
    }

    /**
     * Replaces the heartbeat paths {@link #setUp} writes ({@code VIGIL_LAB_PATHS}: {@code NAME=ADDR1,ADDR2 ...}),
     * e.g. to carry heartbeats on back-to-back cables only. Call before {@link #setUp}.
     */
    NetnsNodes paths(String spec) {
        env.put("VIGIL_LAB_PATHS", spec);
        return this;
    }

    Sh.Result run(Duration timeout, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(List.of(args));
        Sh.Result r = Sh.run(timeout, argv, env);
        return new Sh.Result(r.exit(), ANSI.matcher(r.output()).replaceAll(""));
    }

    String ok(Duration timeout, String... args) {
        Sh.Result r = run(timeout, args);
        if (!r.ok()) {
            throw new AssertionError("vigil-lab " + String.join(" ", args) + " failed (exit " + r.exit() + "):\n" + r.output());
        }
        return r.output();
    }

    /** Stops leftovers of an interrupted run in this directory, then sets up two nodes. */
    void setUp() {
        run(Duration.ofSeconds(60), "down", dir.toString());
        ok(Duration.ofSeconds(120), "setup", dir.toString(), "2");
    }

    void start(String... nodes) {
        List<CompletableFuture<Sh.Result>> all = new ArrayList<>();
        for (String n : nodes) {
            all.add(CompletableFuture.supplyAsync(() -> run(Duration.ofSeconds(180), "start", dir.toString(), n)));
        }
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < nodes.length; i++) {
            Sh.Result r = all.get(i).join();
            if (!r.ok()) {
                failures.append(nodes[i]).append(": ").append(r.output()).append('\n');
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError("nodes did not start:\n" + failures);
        }
    }

    Sh.Result cli(String node, String command) {
        return run(Duration.ofSeconds(90), "cli", dir.toString(), node, command);
    }

    String cliOk(String node, String command) {
        Sh.Result r = cli(node, command);
        for (int k = 0; k < 30 && FeatureInstall.racedTheBoot(command, r.output()); k++) {
            Lab.sleep(1000);
            r = cli(node, command);
        }
        // exit 0 alone is not enough: the client may exit 0 after "Error executing command: ..."
        if (!r.ok() || Pattern.compile("(?im)^\\s*(error|command not found)").matcher(r.output()).find()) {
            throw new AssertionError("'" + command + "' on " + node + " failed (exit " + r.exit() + "):\n" + r.output());
        }
        return r.output();
    }

    /** @return vigil-lab crash's output ("crashed node1: freeze_ms=... kill_ms=...") */
    String crash(String node) {
        return ok(Duration.ofSeconds(30), "crash", dir.toString(), node).strip();
    }

    /** @return the node's JVM pid, or -1 when it does not run */
    long jvmPid(String node) {
        Path f = dir.resolve(node).resolve("lab/jvm.pid");
        try {
            String[] f2 = Files.readString(f).trim().split("\\s+");
            long pid = Long.parseLong(f2[0]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? pid : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    void awaitOnline(String node, String peer, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Pattern online = Pattern.compile("(?m)^\\s+" + Pattern.quote(peer) + "\\s+online\\b.*priv up.*pub up");
        String last = "";
        while (System.nanoTime() < end) {
            Sh.Result r = cli(node, "vigil:status");
            last = r.output();
            if (r.ok() && online.matcher(last).find()) {
                return;
            }
            Lab.sleep(300);
        }
        throw new AssertionError(node + " does not see " + peer + " online on both paths after " + timeout.toSeconds()
                + " s:\n" + last);
    }

    /**
     * @return the wall-clock time (epoch ms) of the first line of the node's karaf.log at or after
     *         {@code fromMillis} that contains {@code text}, or -1
     */
    long logTime(String node, String text, long fromMillis) {
        Path log = dir.resolve(node).resolve("data/log/karaf.log");
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.length() < 23 || !line.contains(text)) {
                    continue;
                }
                long t;
                try {
                    t = LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant()
                            .toEpochMilli();
                } catch (RuntimeException e) {
                    continue;
                }
                if (t >= fromMillis - 1) {
                    return t;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /**
     * @return the first line of the node's karaf.log at or after {@code fromMillis} that contains {@code text} (as
     *         {@link #logTime} finds it), or ""
     */
    String logLine(String node, String text, long fromMillis) {
        long t = logTime(node, text, fromMillis);
        if (t < 0) {
            return "";
        }
        try {
            return Files.readAllLines(dir.resolve(node).resolve("data/log/karaf.log"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains(text) && l.length() >= 23 && !logTimeBefore(l, t)).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean logTimeBefore(String line, long t) {
        try {
            return LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant()
                    .toEpochMilli() < t;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** Waits for such a log line. @return its time, or -1 */
    long awaitLog(String node, String text, long fromMillis, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            long t = logTime(node, text, fromMillis);
            if (t > 0) {
                return t;
            }
            Lab.sleep(100);
        }
        return -1;
    }

    String logTails() {
        StringBuilder sb = new StringBuilder();
        for (String n : List.of("node1", "node2")) {
            Path log = dir.resolve(n).resolve("data/log/karaf.log");
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                sb.append("---- ").append(log).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> sb.append(l).append('\n'));
            } catch (IOException | RuntimeException e) {
                sb.append("(").append(log).append(" unreadable: ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    /** Stops both nodes (their groups stop cleanly) and whatever they started, by recorded pid. Idempotent. */
    @Override
    public void close() {
        if (open) {
            open = false;
            Sh.Result r = run(Duration.ofSeconds(90), "down", dir.toString());
            if (!r.ok()) {
                System.err.println("[system] vigil-lab down " + dir + " failed: " + r.output());
            }
        }
    }
}
