package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.membership.MembershipTracker;

/**
 * The replay trial on real in-process nodes: frames recorded from node2 while it ran the group, replayed
 * to node1 after node2 crashed and node1 restarted (so node1's in-memory replay marks are gone). node2 must never
 * count as alive on node1, and node1 must start the group after its usual start-up wait, while the replay goes on.
 */
class ReplayAfterRestartClusterTest extends InMemoryCluster {

    @Test
    void framesRecordedBeforeARestartNeverMakeACrashedPeerLookAlive() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        runWeb(n1, n2, "node2", "node1");

        List<byte[]> recording = net.record("node2");
        Thread.sleep(6000); // about 60 heartbeats (100 ms interval), each saying "node2 runs web"
        net.stopRecording("node2");
        List<byte[]> frames = List.copyOf(recording);

        net.freeze("node2"); // node2 crashes: nothing leaves it any more, its program is gone
        world.powerOff("node2");
        n2.close();
        n1.close(); // node1 restarts: a new incarnation, with no memory of the frames it accepted
        nodes.remove(n1);
        TestNode again = start("node1");

        long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        boolean ranDuringReplay = false;
        for (byte[] f : frames) {
            net.inject("node1", f);
            MembershipTracker.PeerView p = again.node.peers().get("node2");
            assertThat(p == null ? null : p.membership()).as("node2 on the restarted node1 during the replay")
                    .matches(m -> m == null || !m.isUp());
            ranDuringReplay |= again.runs("web");
            Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
        }
        long replayed = again.node.paths().get("lan").counters().accepted.get()
                + again.node.paths().get("lan").counters().unanswered.get();
        assertThat(again.node.paths().get("lan").counters().unanswered.get())
                .as("replayed frames taken as authentic but not counted (of %d recorded)", frames.size())
                .isGreaterThanOrEqualTo(frames.size() / 2);
        assertThat(ranDuringReplay || again.runs("web"))
                .as("node1 started web after its start-up wait (2.2 s), while %d frames of node2 were replayed", replayed)
                .isTrue();
        assertThat(world.runningOn).containsOnly(Map.entry("app", "node1"));
    }
}
