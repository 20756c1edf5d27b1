package org.vigil.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The set-up the namespace system tests share: a lab directory, a {@link NetnsTopology} (node1, node2, a
 * client), shared loop disks ({@link SharedLoopDisk}) and two {@link NetnsNodes} started in their namespaces
 * that see each other, with resource features installed at runtime. {@link #close()} undoes it in reverse:
 * the nodes (by recorded pid), then the disks, then the namespaces. Each test keeps its own choices (lab
 * directory, port offset, seeds, features, extra node configuration) as arguments, and its own extra clean-up
 * around {@link #close()} in its tear-down (which it also registers as a shutdown hook, so an interrupted run
 * cleans up too).
 */
final class NetnsTwoNodes implements AutoCloseable {

    /** A set-up step that may fail with an I/O error. */
    interface Step {
        void run() throws IOException;
    }

    private final long t0 = System.nanoTime();
    private final Path dir;
    private final Path dist;
    private final int ssh;
    private final int udp;
    private NetnsTopology net;
    private NetnsNodes nodes;
    private final List<SharedLoopDisk> disks = new ArrayList<>();

    private NetnsTwoNodes(Path dir, Path dist, int portOffset) {
        this.dir = dir;
        this.dist = dist;
        this.ssh = Prerequisites.intProperty("vigil.system.sshBase", 8301) + portOffset;
        this.udp = Prerequisites.intProperty("vigil.system.udpBase", 7301) + portOffset;
    }

    /**
     * Creates the lab directory {@code dir}, stops the nodes an interrupted run there left behind (by recorded
     * pid: they may hold a disk), then builds the namespaces. Ports: the system base ports + {@code portOffset}.
     */
    static NetnsTwoNodes create(Path dist, Path dir, int portOffset) throws IOException {
        NetnsTwoNodes lab = new NetnsTwoNodes(dir, dist, portOffset);
        Files.createDirectories(dir);
        new NetnsNodes(dir, dist, null, lab.ssh, lab.udp).run(Duration.ofSeconds(60), "down", dir.toString());
        lab.net = NetnsTopology.create();
        return lab;
    }

    Path dir() {
        return dir;
    }

    NetnsTopology net() {
        return net;
    }

    NetnsNodes nodes() {
        return nodes;
    }

    /** @return milliseconds since {@link #create} */
    long elapsedMillis() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** A shared disk seeded with {@code seed}'s content, detached by {@link #close()}. */
    SharedLoopDisk disk(Path image, Path seed) throws IOException {
        SharedLoopDisk d = SharedLoopDisk.create(image, seed);
        disks.add(d);
        return d;
    }

    /**
     * Sets up node1 and node2 in their namespaces, appends {@code nodeConfig} (null: nothing) to each one's
     * etc/org.vigil.node.cfg, starts both and waits up to 30 s until each sees the other online.
     */
    NetnsNodes startNodes(String nodeConfig) throws IOException {
        setUpNodes(null);
        if (nodeConfig != null) {
            for (String n : List.of("node1", "node2")) {
                Files.writeString(dir.resolve(n).resolve("etc/org.vigil.node.cfg"), nodeConfig,
                        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        }
        nodes.start("node1", "node2");
        nodes.awaitOnline("node1", "node2", Duration.ofSeconds(30));
        nodes.awaitOnline("node2", "node1", Duration.ofSeconds(30));
        return nodes;
    }

    /**
     * Sets up node1 and node2 in their namespaces, not started, with the heartbeat paths {@code paths} (as
     * {@link NetnsNodes#paths}; null: {@code pub} and {@code priv}). {@link #startNodes} does this first.
     */
    NetnsNodes setUpNodes(String paths) {
        nodes = new NetnsNodes(dir, dist, net, ssh, udp);
        if (paths != null) {
            nodes.paths(paths);
        }
        nodes.setUp();
        return nodes;
    }

    /** On node1 then node2: {@code feature:install features}, then waits until it lists {@code types}. */
    void install(String features, String... types) {
        for (String n : List.of("node1", "node2")) {
            nodes.cliOk(n, "feature:install " + features);
            awaitTypes(n, types);
        }
    }

    /** Waits up to 30 s until {@code vigil:resource-types} on {@code node} lists every one of {@code types}. */
    void awaitTypes(String node, String... types) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = nodes.cli(node, "vigil:resource-types").output();
            boolean all = true;
            for (String t : types) {
                all &= Pattern.compile("(?m)^" + Pattern.quote(t) + " - ").matcher(out).find();
            }
            if (all) {
                return;
            }
            Lab.sleep(300);
        }
        throw new AssertionError("types " + String.join(", ", types) + " not installed on " + node
                + " after feature:install:\n" + out);
    }

    /** @return the nodes' log tails ("" before they were set up) */
    String logTails() {
        return nodes == null ? "" : nodes.logTails();
    }

    /** Stops the nodes (by recorded pid), then detaches the disks, then deletes the namespaces. Idempotent. */
    @Override
    public synchronized void close() {
        if (nodes != null) {
            nodes.close();
        }
        for (SharedLoopDisk d : disks) {
            Set<String> holders = d.mountNamespacesHoldingIt();
            if (!holders.isEmpty()) {
                System.err.println("[system] a shared disk is still mounted in the mount namespaces " + holders);
            }
            d.close();
        }
        disks.clear();
        if (net != null) {
            net.close();
            net = null;
        }
    }

    /**
     * Runs a test's set-up; on failure runs its tear-down and rethrows, an I/O error as
     * {@link UncheckedIOException}, anything else with the nodes' log tails attached.
     */
    static void setUp(Step body, java.util.function.Supplier<NetnsTwoNodes> lab, Runnable tearDown) {
        try {
            body.run();
        } catch (IOException e) {
            tearDown.run();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            NetnsTwoNodes l = lab.get();
            String logs = l == null ? "" : l.logTails();
            tearDown.run();
            e.addSuppressed(new AssertionError("node logs:\n" + logs));
            throw e;
        }
    }

    /** Removes a test's shutdown hook after its tear-down ran. */
    static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down, or never added
        }
    }

    /** @return a one-line summary and the changes of {@code watch}, for the test's log */
    static String summary(PlacementWatch watch) {
        return watch.stats() + "; changes:\n  " + String.join("\n  ",
                watch.changes().stream().map(Object::toString).toList());
    }

    /** Deletes {@code p} and everything under it, if it exists. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
