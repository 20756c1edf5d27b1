package org.vigil.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster of real Vigil nodes on this machine, driven only through {@code scripts/vigil-lab}: the same tool
 * the demo and the benchmark use. Every call is bounded in time. {@link #close()} stops every process the lab
 * started (by recorded pid); it also runs from a shutdown hook if the test JVM is stopped.
 */
final class Lab implements AutoCloseable {

    /** What one vigil-lab call printed (standard output and error, ANSI colours removed) and its exit status. */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** A crash: when the node was frozen (its heartbeats stop) and when everything was killed. */
    record Crash(long freezeMillis, long killMillis, String output) {
    }

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Lab::close), "vigil-lab-down"));
    }

    private final Path dir;
    private final Path script;
    private final Map<String, String> env = new HashMap<>();

    private Lab(Path dir, Path dist, int sshBase, int udpBase) {
        this.dir = dir;
        this.script = Prerequisites.scripts().resolve("vigil-lab");
        env.put("VIGIL_DIST", dist.toString());
        env.put("VIGIL_LAB_SSH_BASE", Integer.toString(sshBase));
        env.put("VIGIL_LAB_UDP_BASE", Integer.toString(udpBase));
    }

    /**
     * Sets up a fresh lab of {@code nodes} nodes under the module's target/labs/NAME.
     *
     * @return the lab (registered for clean-up)
     */
    static Lab setUp(String name, int nodes, int sshBase, int udpBase, Path dist) {
        return setUp(name, nodes, sshBase, udpBase, dist, Map.of());
    }

    /**
     * As {@link #setUp(String, int, int, int, Path)}, with more environment for every vigil-lab call (for
     * example JAVA_HOME: the JDK the nodes run on).
     */
    static Lab setUp(String name, int nodes, int sshBase, int udpBase, Path dist, Map<String, String> environment) {
        Path dir = Prerequisites.labsDir().resolve(name);
        Lab lab = new Lab(dir, dist, sshBase, udpBase);
        lab.env.putAll(environment);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OPEN.add(lab);
        lab.run(Duration.ofSeconds(60), "down", dir.toString()); // leftovers of an interrupted run
        lab.ok(Duration.ofSeconds(120), "setup", dir.toString(), Integer.toString(nodes));
        return lab;
    }

    Path dir() {
        return dir;
    }

    /** Runs vigil-lab with the arguments; kills it at the timeout. */
    Result run(Duration timeout, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(script.toString());
        argv.addAll(Arrays.asList(args));
        Path out = null;
        try {
            out = Files.createTempFile("vigil-lab", ".out");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            int exit;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                exit = -1;
            }
            String text = ANSI.matcher(Files.readString(out, StandardCharsets.UTF_8)).replaceAll("");
            if (exit == -1) {
                text += "\n[vigil-lab " + String.join(" ", args) + " killed after " + timeout.toSeconds() + " s]";
            }
            return new Result(exit, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running vigil-lab " + String.join(" ", args), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** Runs vigil-lab and fails with its output unless it succeeds. */
    String ok(Duration timeout, String... args) {
        Result r = run(timeout, args);
        if (!r.ok()) {
            throw new AssertionError("vigil-lab " + String.join(" ", args) + " failed (exit " + r.exit() + "):\n"
                    + r.output());
        }
        return r.output();
    }

    /** Starts the nodes at the same time and waits until each shell answers. */
    void start(String... nodes) {
        List<CompletableFuture<Result>> all = new ArrayList<>();
        for (String n : nodes) {
            all.add(CompletableFuture.supplyAsync(() -> run(Duration.ofSeconds(180), "start", dir.toString(), n)));
        }
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < nodes.length; i++) {
            Result r = all.get(i).join();
            if (!r.ok()) {
                failures.append(nodes[i]).append(": ").append(r.output()).append('\n');
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError("nodes did not start:\n" + failures + logTails());
        }
    }

    /** Runs one shell command on a node. */
    Result cli(String node, String command) {
        return run(Duration.ofSeconds(90), "cli", dir.toString(), node, command);
    }

    /** Runs one shell command on a node and fails unless it succeeds. */
    String cliOk(String node, String command) {
        Result r = cli(node, command);
        for (int k = 0; k < 30 && FeatureInstall.racedTheBoot(command, r.output()); k++) {
            sleep(1000);
            r = cli(node, command);
        }
        if (!r.ok()) {
            throw new AssertionError("'" + command + "' on " + node + " failed (exit " + r.exit() + "):\n" + r.output());
        }
        return r.output();
    }

    /** Freezes and SIGKILLs the node's JVM and every process it started, as a power loss would. */
    Crash crash(String node) {
        String out = ok(Duration.ofSeconds(30), "crash", dir.toString(), node);
        Matcher m = Pattern.compile("freeze_ms=(\\d+) kill_ms=(\\d+)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("unexpected crash output: " + out);
        }
        return new Crash(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), out.strip());
    }

    /** SIGKILL of the node's JVM only. @return the kill time (epoch ms) */
    long killJvm(String node) {
        String out = ok(Duration.ofSeconds(30), "kill-jvm", dir.toString(), node);
        Matcher m = Pattern.compile("kill_ms=(\\d+)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("unexpected kill-jvm output: " + out);
        }
        return Long.parseLong(m.group(1));
    }

    /** @return the node's JVM pid as vigil-lab recorded it */
    long jvmPid(String node) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(node).resolve("lab/jvm.pid")).trim().split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Defines GROUP (brought out) holding the demo web service on 127.0.0.1:PORT. */
    void addWebGroup(String node, String group, int port) {
        ok(Duration.ofSeconds(90), "add-web", dir.toString(), node, group, Integer.toString(port));
    }

    /** @return the cluster document version the node reports in vigil:status */
    long documentVersion(String node) {
        Matcher m = Pattern.compile("cluster document version (\\d+)").matcher(cliOk(node, "vigil:status"));
        if (!m.find()) {
            throw new AssertionError("no document version in vigil:status of " + node);
        }
        return Long.parseLong(m.group(1));
    }

    /** Waits until {@code node} reports {@code peer} online. */
    void awaitOnline(String node, String peer, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Pattern online = Pattern.compile("(?m)^\\s+" + Pattern.quote(peer) + "\\s+online\\b");
        String last = "";
        while (System.nanoTime() < end) {
            Result r = cli(node, "vigil:status");
            last = r.output();
            if (r.ok() && online.matcher(last).find()) {
                return;
            }
            sleep(500);
        }
        throw new AssertionError(node + " does not see " + peer + " online after " + timeout.toSeconds() + " s:\n" + last);
    }

    /** The last lines of every node's karaf.log, for failure messages. */
    String logTails() {
        StringBuilder sb = new StringBuilder();
        try (var nodes = Files.list(dir)) {
            for (Path n : nodes.filter(p -> p.getFileName().toString().startsWith("node")).sorted().toList()) {
                Path log = n.resolve("data/log/karaf.log");
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                    sb.append("---- ").append(log).append(" (last 30 lines)\n");
                    lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("(logs unreadable: ").append(e).append(")\n");
        }
        return sb.toString();
    }

    /** Stops every node of the lab and whatever they started. Idempotent. */
    @Override
    public void close() {
        if (OPEN.remove(this)) {
            Result r = run(Duration.ofSeconds(90), "down", dir.toString());
            if (!r.ok()) {
                System.err.println("[system] vigil-lab down " + dir + " failed: " + r.output());
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
