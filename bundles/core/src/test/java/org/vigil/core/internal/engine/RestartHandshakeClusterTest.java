package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node restarts while its peer runs a group (quorum off, the default). The peer's heartbeats reach it at once, but
 * they count only once the peer has answered the restarted node's new challenge, and on a loaded machine that answer
 * may come after the start-up wait. A node that hears such a peer must wait for the answer (within a bound) instead
 * of concluding that it is alone: otherwise it starts the group beside the peer.
 */
class RestartHandshakeClusterTest extends InMemoryCluster {

    @Test
    void aRestartedNodeHearingAPeerThatHasNotYetAnsweredWaitsForItInsteadOfStartingItsGroups() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        runWeb(n1, n2, "node2", "node1");

        n1.close(); // node1 restarts: a new incarnation with a new challenge
        nodes.remove(n1);
        net.mute("node1"); // its heartbeats are late to reach node2, so node2 answers its challenge late
        TestNode again = start("node1");
        // the start-up wait is dead time + 2 intervals = 2.2 s here; node2's answer comes after 3 s
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < end) {
            assertThat(again.runs("web")).as("node1 runs web while node2, heard but not yet answered, runs it").isFalse();
            Thread.sleep(20);
        }
        net.unmute("node1");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> again.node.peers().containsKey("node2") && again.node.peers().get("node2").membership().isUp());
        Thread.sleep(1000);
        assertThat(world.runningOn).as("where the group's resource runs").containsOnly(Map.entry("app", "node2"));
        assertThat(world.violations).as("double starts").isEmpty();
    }
}
