package org.vigil.core.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.InMemoryNetwork;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.policy.NodeReport;

/**
 * The "stale frames after a freeze" trap on the real {@link HeartbeatIo} with a clock the test moves: frames a
 * peer sent while this node's process slept (they waited in the socket) must not count as a live peer when it
 * wakes; frames answering the challenge this node sends after it woke do.
 */
class HeartbeatIoPauseTest {

    private static final byte[] KEY = "pause-test-cluster-key-000000001".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final FrameCodec codec = new FrameCodec(KEY);
    private final InMemoryNetwork net = new InMemoryNetwork();
    private final AtomicLong clock = new AtomicLong(10_000);
    private final MembershipTracker members = new MembershipTracker(100, 600);
    private final LinkedBlockingQueue<Frame> fromNode1 = new LinkedBlockingQueue<>();
    private final Alerts alerts = new Alerts("node1");
    private HeartbeatIo io;
    private org.vigil.api.heartbeat.HeartbeatTransport peerTransport;
    private long sequence;

    @AfterEach
    void tearDown() {
        if (io != null) {
            io.stop();
        }
        alerts.close();
    }

    /** Plays node2 on the medium: keeps node1's frames, to read its challenge. */
    private void peer() throws java.io.IOException {
        peerTransport = net.factory().open(new PathContext() {
            @Override
            public String pathName() {
                return "lan";
            }

            @Override
            public String nodeName() {
                return "node2";
            }

            @Override
            public Map<String, String> parameters() {
                return Map.of();
            }

            @Override
            public void frameReceived(byte[] data, int offset, int length, String source) {
                Frame f = codec.decode(data, offset, length).frame();
                if (f != null) {
                    fromNode1.add(f);
                }
            }

            @Override
            public void garbageDiscarded(String reason) {
            }

            @Override
            public boolean fenceRequested(String from, String reason) {
                return false;
            }

            @Override
            public void localLinkState(boolean up, String reason) {
            }
        });
    }

    /** @return node1's challenge, from the next frame it sends from now on */
    private long node1Challenge() throws Exception {
        for (int i = 0; i < 10_000; i++) { // what node1 sent so far
            int n = fromNode1.size();
            peerTransport.receive(0);
            if (fromNode1.size() == n) {
                break;
            }
        }
        fromNode1.clear();
        io.kick(); // the clock stands still between the test's steps: ask for a heartbeat
        for (int i = 0; i < 50 && fromNode1.isEmpty(); i++) {
            peerTransport.receive(100);
        }
        Frame f = fromNode1.poll();
        assertThat(f).as("a frame from node1").isNotNull();
        return f.nonce();
    }

    private byte[] node2Frame(long echo) {
        byte[] report = new WireReport(new NodeReport(0, Set.of(), true, Map.of()), "", false).encode();
        return codec.encode(new Frame(FrameType.HEARTBEAT, "node2", "lan", 5, ++sequence, report, 77,
                Map.of("node1", echo)));
    }

    private long lastHeard() {
        MembershipTracker.PeerView p = members.peers(clock.get()).get("node2");
        return p == null ? Long.MIN_VALUE : p.lastHeard();
    }

    @Test
    void framesThatWaitedOutAPauseOfThisNodeDoNotCountButAnswersToItsNewChallengeDo() throws Exception {
        DocumentStore docs = new DocumentStore(dir.resolve("cluster.json"), () -> { });
        io = new HeartbeatIo("node1", 1, codec, members, docs,
                () -> new WireReport(new NodeReport(0, Set.of(), true, Map.of()), "", false), clock::get, () -> { },
                alerts, 100);
        io.addFactory(net.factory());
        peer();
        io.addPath(new PathConfiguration(Map.of("name", "lan", "type", "mem", "service.pid", "org.vigil.path.lan")));
        io.start();

        long before = node1Challenge();
        net.inject("node1", node2Frame(before));
        await().atMost(Duration.ofSeconds(5)).until(() -> lastHeard() == 10_000);

        byte[] sentDuringThePause = node2Frame(before);
        clock.addAndGet(5_000); // node1's process slept 5 s (dead time 600 ms); node2's frame waited in the socket
        net.inject("node1", sentDuringThePause);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> io.status().get("lan").counters().unanswered.get() == 1);
        assertThat(lastHeard()).as("node2's last counted frame: the one before the pause").isEqualTo(10_000);

        long after = node1Challenge();
        assertThat(after).as("node1's challenge after the pause").isNotEqualTo(before);
        net.inject("node1", node2Frame(after));
        await().atMost(Duration.ofSeconds(5)).until(() -> lastHeard() == 15_000);
        assertThat(io.status().get("lan").counters().unanswered.get()).isEqualTo(1);
        assertThat(List.copyOf(members.peers(clock.get()).keySet())).containsExactly("node2");
    }
}
