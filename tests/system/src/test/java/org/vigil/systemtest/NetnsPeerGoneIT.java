package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer whose Vigil process is gone is known down at once. Two real nodes in network namespaces
 * ({@link NetnsTopology}: public and private networks, udp heartbeats on both), quorum on ({@code cluster.nodes =
 * node1, node2}) with the ping tie-breaker (target: the client's public address; node1 the fixed winner), dead time
 * 600 ms and a self-fencing bound of 30 s (node1's machine answers ping, so without the proof node2 would wait for
 * node1's lease up to the freeze bound, and lose the tie to node1 whose address answers). Group
 * {@code svc} is one {@code process} resource (a shell loop) on node1.
 *
 * <p>Only node1's JVM is killed ({@code kill -9}): its machine stays up, its public address answers ping, and its
 * kernel answers the heartbeats sent to it with ICMP port unreachable on both networks. node2 must take the group
 * over within the dead time plus a few seconds, with quorum and no tie-breaker ("its Vigil process is gone" in
 * {@code vigil:status}). Before this proof, node2 lost the tie to node1 (whose address answered ping) and never
 * ran the group. A watch of the real processes checks that the program never ran on both nodes.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsPeerGoneIT {

    static final long BOUND_MILLIS = 30_000;
    static final long DEAD_MILLIS = 600;
    /** The takeover must come within the dead time plus this (the group's start, the load of a shared machine). */
    static final long MARGIN_MILLIS = 5_000;

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static NetnsNodes nodes;
    private static GroupProcessWatch watch;
    private static final Thread HOOK = new Thread(NetnsPeerGoneIT::tearDown, "netns-peer-gone-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        Prerequisites.requireTools("NetnsPeerGoneIT", "network namespaces", List.of("ip", "ping", "kill"), List.of(),
                "iproute2, iputils-ping");
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-peer-gone"), 270);
            net = lab.net();
            Path script = lab.dir().resolve("peer-gone-service.sh");
            Files.writeString(script, "#!/bin/sh\nwhile :; do sleep 1; done\n");
            watch = new GroupProcessWatch(script);
            nodes = lab.startNodes(NetnsQuorum.pingTieBreaker(net, "quorum.tiebreaker.winner = node1",
                    "quorum.loss.stop.ms = " + BOUND_MILLIS, "dead.time.ms = " + DEAD_MILLIS));
            NetnsQuorum quorum = new NetnsQuorum(lab);
            quorum.awaitQuorum("node1");
            quorum.awaitQuorum("node2");
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 svc",
                    "vigil:resource-add svc svc-prog process 'command=/bin/sh " + script + "'"));
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 30 svc").strip().replace('\n', ' '));
        }, () -> lab, NetnsPeerGoneIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("process watch: %s; changes: %s", watch.stats(), watch.changes());
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    static synchronized void tearDown() {
        if (watch != null) {
            watch.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void whenOnlyTheActiveNodesJvmDiesTheOtherKnowsItGoneAndTakesOverWithoutTheTieBreaker() {
        awaitWatch(Set.of("node1"), Duration.ofSeconds(20));
        long pid = nodes.jvmPid("node1");
        assertThat(pid).as("node1's JVM").isPositive();

        long t0 = System.currentTimeMillis();
        Sh.ok("kill", "-9", Long.toString(pid));
        long started = nodes.awaitLog("node2", "started svc-prog (group svc)", t0,
                Duration.ofMillis(DEAD_MILLIS + MARGIN_MILLIS + 10_000));
        String status = nodes.cli("node2", "vigil:status").output();
        log("kill -9 of node1's JVM at %d: node2 started svc-prog +%d ms%n%s", t0, started < 0 ? -1 : started - t0, status);
        assertThat(Sh.run("ip", "netns", "exec", net.nodeNs("node2"), "ping", "-c", "1", "-W", "1",
                net.pubAddress("node1")).ok()).as("node1's machine still answers ping").isTrue();
        assertThat(started).as("node2 took the group over (before: it lost the tie to node1, whose address answers ping)")
                .isPositive();
        assertThat(started - t0).as("ms from the kill to node2's start, against the %d ms bound", BOUND_MILLIS)
                .isLessThanOrEqualTo(DEAD_MILLIS + MARGIN_MILLIS);
        assertThat(status).contains("its Vigil process is gone: heartbeat ports refused on")
                .contains("HAS QUORUM (1 of 1 votes").doesNotContain("tie-breaker chose the other side");
        awaitWatch(Set.of("node2"), Duration.ofSeconds(10));
        assertThat(watch.overlaps()).as("sampled instants at which the program ran on both nodes").isEmpty();
    }

    private static void awaitWatch(Set<String> where, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end && !where.equals(watch.now().getOrDefault("svc", Set.of()))) {
            Lab.sleep(100);
        }
        assertThat(watch.now().getOrDefault("svc", Set.of())).as("the nodes running svc's program").isEqualTo(where);
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns-peer-gone] " + format + "%n", args);
        System.out.flush();
    }
}
