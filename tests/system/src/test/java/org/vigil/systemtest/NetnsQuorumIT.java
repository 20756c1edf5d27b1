package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Split-brain safety with two real nodes in network namespaces ({@link NetnsTopology}: public network with the
 * client, private network between the nodes, udp heartbeats on both), quorum on ({@code cluster.nodes = node1,
 * node2}) with the ping tie-breaker: target the client's public address, each node's public address as its
 * peer address, node1 the fixed winner; dead time 600 ms, self-fencing bound 4 s, freeze bound 3 s. Group {@code svc} is one
 * virtual address on the public network, preferring node1. A watch samples, every ~50 ms, which node has the
 * address up (present on an interface that is administratively up, carrier or not): never both.
 *
 * <ol>
 * <li>Full partition of node1, the active node: both its cables are cut at the far end (its interfaces stay up,
 * without carrier; its address stays in place until Vigil removes it). node1 reaches no ping target, loses quorum
 * and removes the address at once (its lease lapsed); node2 reaches the target, finds node1's public address
 * silent, wins, and adds the address without waiting out the self-fencing bound: node1's lease promise (from
 * node2's last heartbeat from it) has passed. Exactly one side runs the group; after the cables are back it stays
 * on node2.</li>
 * <li>SIGSTOP of node2's JVM (now active) for 2.5 s, longer than the dead time and shorter than the freeze bound
 * ({@code quorum.freeze.ms} 3 s: node2's machine still answers ping), then SIGCONT: node2 finds it was paused and
 * removes the address; node1 adds it only after that.</li>
 * <li>With {@code vigil-fence-command} installed on node2 and a fence device for node1 (a script that pulls
 * node1's cables and SIGKILLs its JVM), the same partition of node1: node2 fences it and takes the group over
 * at once, well before the self-fencing bound.</li>
 * </ol>
 */
@Steps
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsQuorumIT implements Steps.Diagnostics {

    static final long BOUND_MILLIS = 4000;
    static final long DEAD_MILLIS = 600;
    static final long FREEZE_MILLIS = 3000;

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static NetnsNodes nodes;
    private static PlacementWatch watch;
    private static String vip;
    private static final Thread HOOK = new Thread(NetnsQuorumIT::tearDown, "netns-quorum-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        requireTools();
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-quorum"), 70);
            net = lab.net();
            // the ping target: the client's address, a TEST-NET address inside the lab only
            nodes = lab.startNodes(NetnsQuorum.pingTieBreaker(net, "quorum.tiebreaker.winner = node1",
                    "quorum.loss.stop.ms = " + BOUND_MILLIS, "quorum.freeze.ms = " + FREEZE_MILLIS,
                    "dead.time.ms = " + DEAD_MILLIS));
            for (String n : List.of("node1", "node2")) {
                nodes.cliOk(n, "feature:install vigil-resource-ip");
            }
            awaitQuorum("node1");
            awaitQuorum("node2");
            vip = net.pub + ".60";
            lab.awaitTypes("node1", "ip");
            lab.awaitTypes("node2", "ip");
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 svc",
                    "vigil:resource-add svc svc-ip ip address=" + vip + "/24 interface=eth0"));
            watch = new PlacementWatch(net, nodes, null, Map.of("svc-ip", vip));
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 30 svc").strip().replace('\n', ' '));
        }, () -> lab, NetnsQuorumIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("placement watch: %s", NetnsTwoNodes.summary(watch));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /** Stops the watch, resumes a stopped node2, then stops the nodes and deletes the namespaces. */
    static synchronized void tearDown() {
        if (watch != null) {
            watch.close();
        }
        if (lab != null && lab.nodes() != null) {
            long pid = lab.nodes().jvmPid("node2");
            if (pid > 0) {
                Sh.run("kill", "-CONT", Long.toString(pid)); // never leave a stopped JVM behind
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    public void stepFailed(String step) {
        if (nodes != null) {
            log("step '%s' failed; node logs:%n%s", step, nodes.logTails());
        }
    }

    @Test
    @Order(1)
    void aFullPartitionOfTheActiveNodeLeavesExactlyOneSideRunningTheGroup() {
        assertThat(watch.where("svc-ip")).containsExactly("node1");
        long t0 = System.currentTimeMillis();
        cutFarEnds();
        long stopped = nodes.awaitLog("node1", "stopped svc-ip (group svc)", t0, Duration.ofSeconds(20));
        long started = nodes.awaitLog("node2", "started svc-ip (group svc)", t0, Duration.ofSeconds(30));
        assertThat(stopped).as("node1 (cut off, no ping target) stopped its copy").isPositive();
        assertThat(started).as("node2 (reaches the target, node1 silent) took the group over").isPositive();
        long starting = nodes.logTime("node2", "starting svc-ip (group svc)", t0);
        log("partition at %d: node1 stopped +%d ms, node2 starting +%d ms, started +%d ms", t0, stopped - t0,
                starting - t0, started - t0);
        assertThat(starting - t0).as("node2 did not wait out the %d ms self-fencing bound: node1's lease had passed "
                + "(before the lease it waited the bound, from its loss of node1)", BOUND_MILLIS).isLessThan(BOUND_MILLIS);
        assertThat(nodes.logTime("node2", "waiting out the self-fencing bound", t0)).as("node2 never waited the bound")
                .isNegative();
        assertThat(stopped).as("node1 stopped before node2 started").isLessThan(starting);
        assertThat(status("node1")).contains("NO QUORUM");
        assertThat(status("node2")).contains("HAS QUORUM").contains("ping tie-breaker chose this side");
        assertThat(watch.where("svc-ip")).containsExactly("node2");

        reconnect();
        nodes.awaitOnline("node1", "node2", Duration.ofSeconds(30));
        awaitQuorum("node1");
        // While cut off, node1's address monitor failed (no carrier) and the restart in place failed: the
        // group is banned there. The admin clears it once the network is back; nothing moves because of it.
        nodes.cliOk("node2", "vigil:cleanup svc");
        Lab.sleep(2000);
        assertThat(watch.placementsSince("svc-ip", started)).as("where the address was since node2 took it")
                .containsExactly(Set.of("node2"));
        assertNeverBoth();
    }

    @Test
    @Order(2)
    void aPausedActiveNodeStopsItsCopyOnWakingBeforeTheOtherStartsIt() {
        assertThat(watch.where("svc-ip")).containsExactly("node2");
        long pid = nodes.jvmPid("node2");
        assertThat(pid).isPositive();
        long t0 = System.currentTimeMillis();
        Sh.ok("kill", "-STOP", Long.toString(pid));
        Lab.sleep(2500);
        Sh.ok("kill", "-CONT", Long.toString(pid));
        long woke = System.currentTimeMillis();
        long paused = nodes.awaitLog("node2", "was paused for", t0, Duration.ofSeconds(10));
        long stopped = nodes.awaitLog("node2", "stopped svc-ip (group svc)", t0, Duration.ofSeconds(20));
        long started = nodes.awaitLog("node1", "started svc-ip (group svc)", t0, Duration.ofSeconds(30));
        long starting = nodes.logTime("node1", "starting svc-ip (group svc)", t0);
        log("SIGSTOP at %d, SIGCONT +%d ms: node2 saw its pause +%d ms, stopped +%d ms; node1 starting +%d ms, started +%d ms",
                t0, woke - t0, paused - t0, stopped - t0, starting - t0, started - t0);
        assertThat(paused).as("node2 noticed the pause").isPositive();
        assertThat(stopped).as("node2 stopped its copy").isPositive();
        assertThat(started).as("node1 took the group over").isPositive();
        // The freeze bound (quorum.freeze.ms, 3 s here) is longer than the 2.5 s freeze: node1 begins nothing before
        // node2 woke and stopped its copy.
        assertThat(stopped).as("node2 stopped before node1 started").isLessThanOrEqualTo(starting);
        awaitQuorum("node2");
        Lab.sleep(1000);
        assertThat(watch.where("svc-ip")).containsExactly("node1");
        assertNeverBoth();
    }

    @Test
    @Order(3)
    void withAFenceDeviceTheWinnerFencesTheCutOffNodeAndTakesOverWithoutWaitingOutTheBound() throws Exception {
        assertThat(watch.where("svc-ip")).containsExactly("node1");
        // node2's fence device for node1: a script that "powers node1 off" (its cables out, its JVM killed,
        // which takes every program it started with it through the lifeline) and exits 0 only once it is gone.
        Path dir = nodes.dir();
        Path calls = dir.resolve("fence-calls");
        Files.deleteIfExists(calls); // left by an earlier run in the same lab directory
        Path script = dir.resolve("fence-node1.sh");
        Files.writeString(script, String.join("\n", "#!/bin/sh",
                "echo \"$@\" >> " + calls,
                "ip -n " + net.nodeNs("node1") + " link set eth0 down",
                "ip -n " + net.nodeNs("node1") + " link set eth1 down",
                "pid=$(cut -d' ' -f1 " + dir.resolve("node1/lab/jvm.pid") + ")",
                "kill -9 \"$pid\" || exit 1",
                "for i in $(seq 50); do kill -0 \"$pid\" 2>/dev/null || exit 0; sleep 0.1; done",
                "exit 1", ""));
        Sh.ok("chmod", "755", script.toString());
        nodes.cliOk("node2", "feature:install vigil-fence-command");
        Files.writeString(dir.resolve("node2/etc/org.vigil.fence-lab.cfg"), String.join("\n", "type = command",
                "nodes = node1", "off-command = /bin/sh " + script + " {node}", "timeout = 20", ""));
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String types = "";
        while (System.nanoTime() < end && !types.contains("fences node1: ok")) {
            types = nodes.cli("node2", "vigil:fence-types").output();
            Lab.sleep(300);
        }
        assertThat(types).as("node2's fence device").contains("lab", "fences node1: ok");

        long t0 = System.currentTimeMillis();
        cutFarEnds();
        long started = nodes.awaitLog("node2", "started svc-ip (group svc)", t0, Duration.ofSeconds(30));
        long starting = nodes.logTime("node2", "starting svc-ip (group svc)", t0);
        long fenced = nodes.logTime("node2", "was fenced", t0);
        log("partition at %d with a fence device: node2 fenced node1 +%d ms, starting +%d ms, started +%d ms", t0,
                fenced - t0, starting - t0, started - t0);
        assertThat(Files.readAllLines(calls)).as("the fence device's calls").containsExactly("node1");
        assertThat(fenced).as("node2 logged the fencing").isPositive();
        assertThat(started).as("node2 took the group over").isPositive();
        assertThat(starting - t0).as("fenced: no wait for the %d ms self-fencing bound", BOUND_MILLIS).isLessThan(BOUND_MILLIS);
        assertThat(nodes.jvmPid("node1")).as("node1's JVM after fencing").isNegative();
        assertThat(status("node2")).contains("down: fenced");
        Lab.sleep(1000);
        assertThat(watch.where("svc-ip")).containsExactly("node2");
        assertNeverBoth();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** node1's public port on the switch and node2's end of the private cable go down: node1 keeps its links up. */
    private static void cutFarEnds() {
        Sh.ok("ip", "-n", net.ns("sw"), "link", "set", "p1", "down");
        Sh.ok("ip", "-n", net.nodeNs("node2"), "link", "set", "eth1", "down");
    }

    private static void reconnect() {
        Sh.ok("ip", "-n", net.ns("sw"), "link", "set", "p1", "up");
        Sh.ok("ip", "-n", net.nodeNs("node2"), "link", "set", "eth1", "up");
    }

    private static String status(String node) {
        return nodes.cli(node, "vigil:status").output();
    }

    private static void awaitQuorum(String node) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = status(node);
            if (out.contains("Quorum: HAS QUORUM (2 of 2 votes")) {
                return;
            }
            Lab.sleep(300);
        }
        throw new AssertionError(node + " has no quorum of 2 of 2 votes after 30 s:\n" + out);
    }

    private static void assertNeverBoth() {
        assertThat(watch.overlaps()).as("sampled instants at which the address was on both nodes").isEmpty();
    }

    private static void requireTools() {
        Prerequisites.requireTools("NetnsQuorumIT", "network namespaces",
                List.of("ip", "arping", "ping", "kill"),
                List.of(), "iproute2, iputils-arping, iputils-ping");
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns-quorum] " + format + "%n", args);
        System.out.flush();
    }
}
