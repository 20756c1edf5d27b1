package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationContext;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeView;

/**
 * A peer whose Vigil process is gone (its heartbeat ports refused, its machine up) is known down at once: with
 * quorum on and a tie-breaker that favours the dead node, the survivor keeps quorum and takes the group over
 * without the tie-breaker and without waiting out the self-fencing bound. A frozen peer, whose ports never refuse,
 * is not. Real nodes over the in-memory medium (dead time 2 s); the world fails the test on any double start.
 */
class PeerGoneClusterTest extends InMemoryCluster {

    /** A bound far longer than the test waits: a takeover within it needs the proof. */
    private static final Map<String, Object> QUORUM = Map.of("cluster.nodes", "node1, node2",
            "quorum.tiebreaker", "test", "quorum.loss.stop.ms", 60_000L);

    private TestNode node(String name) throws Exception {
        TestNode n = new TestNode(name, dir, net, world, QUORUM, c -> c.addTieBreaker(favouringNode1()));
        nodes.add(n);
        return n;
    }

    /** The configured winner of every tie is node1: the node the test kills. */
    private static TieBreaker favouringNode1() {
        return new TieBreaker() {
            @Override
            public String type() {
                return "test";
            }

            @Override
            public boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op) {
                return side.contains("node1");
            }
        };
    }

    @Test
    void aPeerWhosePortsRefuseIsKnownDownAtOnceButNotFenced() throws Exception {
        net.refusing = true;
        TestNode n1 = node("node1");
        TestNode n2 = node("node2");
        runWeb(n1, n1, "node1", "node2");

        net.kill("node1"); // the JVM dies; its programs die with the lifeline
        world.powerOff("node1");

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> n2.runs("web"));
        var snapshot = n2.node.engineStatus().snapshot();
        NodeView lost = snapshot.nodes().get("node1");
        assertThat(lost.membership()).isEqualTo(Membership.LOST);
        assertThat(lost.loss().proof()).isEqualTo("its Vigil process is gone: heartbeat ports refused on lan");
        assertThat(snapshot.quorum().has()).isTrue();
        assertThat(snapshot.quorum().detail()).as("quorum without the tie-breaker").contains("1 of 1 votes")
                .doesNotContain("tie-breaker");
        assertThat(world.fencedAtStart.get("node2/app")).as("gone is not fenced: the disk may still be mounted there")
                .isEmpty();
        assertThat(world.stopProofsAtStart.get("node2/app")).as("nor a proof for agents: its kernel may hold a mount")
                .isEmpty();
    }

    @Test
    void aFrozenPeerWhosePortsDoNotRefuseIsNotKnownDown() throws Exception {
        net.refusing = true;
        TestNode n1 = node("node1");
        TestNode n2 = node("node2");
        runWeb(n1, n1, "node1", "node2");

        net.freeze("node1"); // a frozen JVM keeps its sockets: nothing refuses

        await().atMost(Duration.ofSeconds(10)).until(() -> n2.node.engineStatus().snapshot().nodes().get("node1")
                .membership() == Membership.LOST);
        Thread.sleep(3000); // the tie-breaker has answered by now
        var snapshot = n2.node.engineStatus().snapshot();
        assertThat(snapshot.nodes().get("node1").loss().proof()).isNull();
        assertThat(snapshot.quorum().detail()).contains("tie-breaker chose the other side");
        assertThat(n2.runs("web")).isFalse();
        net.thaw("node1");
    }

    @Test
    void onAMediumThatCannotRefuseAGonePeerIsNotKnownDown() throws Exception {
        net.refusing = false; // a serial line: a killed peer is only silent
        TestNode n1 = node("node1");
        TestNode n2 = node("node2");
        runWeb(n1, n1, "node1", "node2");

        net.kill("node1");
        world.powerOff("node1");

        await().atMost(Duration.ofSeconds(10)).until(() -> n2.node.engineStatus().snapshot().nodes().get("node1")
                .membership() == Membership.LOST);
        Thread.sleep(3000);
        assertThat(n2.node.engineStatus().snapshot().nodes().get("node1").loss().proof()).isNull();
        assertThat(n2.runs("web")).isFalse();
    }

    @Test
    void aLiveNodeStopsEverythingBeforeItsLastHeartbeatPortClosesSoNothingRunsTwice() throws Exception {
        net.refusing = true;
        TestNode n1 = node("node1");
        TestNode n2 = node("node2");
        runWeb(n1, n1, "node1", "node2");

        n1.node.removeTransport(n1.transport); // its transport bundle stopped: the port closes, the JVM lives on

        assertThat(n1.runs("web")).as("node1 stopped the group before its port closed").isFalse();
        assertThat(world.runningOn.get("app")).as("where app runs when node1's port has closed (node2 may already have"
                + " started it: node1 was heard quiet)").isNotEqualTo("node1");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> n2.runs("web"));
        assertThat(n1.state("app")).isNotEqualTo(org.vigil.core.internal.policy.ResourceState.RUNNING);
    }

    @Test
    void aLiveNodeWhoseOnlyPathIsReconfiguredIntoOneThatCannotOpenStopsEverythingFirstSoNothingRunsTwice() throws Exception {
        net.refusing = true;
        TestNode n1 = node("node1");
        TestNode n2 = node("node2");
        runWeb(n1, n1, "node1", "node2");

        // the admin's typo in the only path's configuration: the path becomes invalid, its port closes
        n1.node.addPath(new PathConfiguration(Map.of("name", "not a valid name!", "type", "mem",
                "service.pid", "org.vigil.path.node1")));

        assertThat(n1.runs("web")).as("node1 stopped the group before its only port closed").isFalse();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> n2.runs("web"));
        assertThat(world.violations).as("double starts").isEmpty();
    }
}
