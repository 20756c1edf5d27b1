package org.vigil.core.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.frame.ReplayGuard;
import org.vigil.core.internal.membership.Challenge;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.PathCounters;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.heartbeat.InboundFrames.Outcome;
import org.vigil.core.internal.heartbeat.InboundFrames.Verdict;
import org.vigil.core.internal.stats.LinkStats;

/**
 * The inbound frame handling on its own, with instants the test picks: node1 receives node2's frames on path "lan".
 * No thread, no transport: bytes in, the verdict and what follows out.
 */
class InboundFramesTest {

    private static final byte[] KEY = "inbound-frames-test-cluster-key!".getBytes(StandardCharsets.US_ASCII);
    private static final long NODE1_CHALLENGE = 0x1111L;
    private static final long NODE2_CHALLENGE = 0x2222L;
    private static final long INTERVAL = 100;

    private final FrameCodec codec = new FrameCodec(KEY);
    private final Challenge challenge = new Challenge(NODE1_CHALLENGE, () -> 0x3333L);
    private final MembershipTracker members = new MembershipTracker(INTERVAL, 600);
    private final AtomicReference<ClusterDocument> mine = new AtomicReference<>(ClusterDocument.empty());
    private final Alerts alerts = new Alerts("node1");
    private final InboundFrames inbound = new InboundFrames("node1", codec, new ReplayGuard(), challenge, members,
            new DocumentProtocol(mine::get, alerts), new LinkStats(), WireReport::decode);
    private final PathCounters counters = new PathCounters();
    private long sequence;

    @AfterEach
    void tearDown() {
        alerts.close();
    }

    private byte[] fromNode2(FrameType type, byte[] payload, long echo) {
        return codec.encode(new Frame(type, "node2", "lan", 7, ++sequence, payload, NODE2_CHALLENGE,
                echo == 0 ? Map.of() : Map.of("node1", echo)));
    }

    private static byte[] report(long documentVersion, String digest) {
        return new WireReport(new NodeReport(documentVersion, Set.of(), true, Map.of()), digest, false).encode();
    }

    private Outcome receive(byte[] frame, long now) {
        return inbound.receive("lan", counters, frame, 0, frame.length, "198.51.100.2:7400", now, INTERVAL);
    }

    @Test
    void aPeerCountsOnlyOnceItEchoesThisIncarnationsChallenge() {
        byte[] first = fromNode2(FrameType.HEARTBEAT, report(0, ""), 0);
        Outcome asked = receive(first, 1000);
        assertThat(asked.verdict()).as("authentic and fresh, but it has not echoed node1's challenge")
                .isEqualTo(Verdict.ASKED);
        assertThat(asked.verdict().peers()).isTrue();
        assertThat(members.peers(1000)).as("membership did not hear it").doesNotContainKey("node2");
        assertThat(challenge.echoes()).as("node1 echoes node2's challenge from now on")
                .containsEntry("node2", NODE2_CHALLENGE);

        Outcome again = receive(fromNode2(FrameType.HEARTBEAT, report(0, ""), 0), 1050);
        assertThat(again.verdict()).isEqualTo(Verdict.UNANSWERED);

        byte[] answering = fromNode2(FrameType.HEARTBEAT, report(0, mine.get().digest()), NODE1_CHALLENGE);
        Outcome counted = receive(answering, 1100);
        assertThat(counted.verdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(counted.report()).isNotNull();
        assertThat(members.peers(1100).get("node2").lastHeard()).isEqualTo(1100);
        assertThat(members.peers(1100).get("node2").report()).isEqualTo(counted.report().report());
        assertThat(counters.unanswered.get()).isEqualTo(2);
        assertThat(counters.accepted.get()).isEqualTo(1);
    }

    @Test
    void forgedMisroutedOwnReplayedAndDuplicatedFramesAreToldApartAndNeverCount() {
        byte[] good = fromNode2(FrameType.HEARTBEAT, report(0, mine.get().digest()), NODE1_CHALLENGE);
        assertThat(receive(good, 1000).verdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(receive(good, 1001).verdict()).as("the same frame over a second connection")
                .isEqualTo(Verdict.DUPLICATE);

        byte[] forged = new FrameCodec("another-cluster-key-of-32-bytes!".getBytes(StandardCharsets.US_ASCII))
                .encode(new Frame(FrameType.HEARTBEAT, "node2", "lan", 7, 100, report(0, ""), NODE2_CHALLENGE,
                        Map.of("node1", NODE1_CHALLENGE)));
        Outcome f = receive(forged, 1002);
        assertThat(f.verdict()).isEqualTo(Verdict.FORGED);
        assertThat(f.detail()).contains("198.51.100.2:7400");
        byte[] garbage = "not a frame".getBytes(StandardCharsets.US_ASCII);
        assertThat(receive(garbage, 1003).verdict()).isEqualTo(Verdict.MALFORMED);
        byte[] wan = codec.encode(new Frame(FrameType.HEARTBEAT, "node2", "wan", 7, 200, report(0, ""),
                NODE2_CHALLENGE, Map.of("node1", NODE1_CHALLENGE)));
        Outcome w = receive(wan, 1004);
        assertThat(w.verdict()).isEqualTo(Verdict.WRONG_PATH);
        assertThat(w.detail()).contains("built for path 'wan'").contains("names this network 'lan'");
        byte[] own = codec.encode(new Frame(FrameType.HEARTBEAT, "node1", "lan", 1, 5, report(0, "")));
        assertThat(receive(own, 1005).verdict()).isEqualTo(Verdict.OWN);
        byte[] earlierLife = codec.encode(new Frame(FrameType.HEARTBEAT, "node2", "lan", 6, 500, report(0, ""),
                NODE2_CHALLENGE, Map.of("node1", NODE1_CHALLENGE)));
        assertThat(receive(earlierLife, 1006).verdict()).as("a recording of an earlier life")
                .isEqualTo(Verdict.STALE);

        for (Verdict v : List.of(Verdict.FORGED, Verdict.MALFORMED, Verdict.WRONG_PATH, Verdict.OWN, Verdict.STALE)) {
            assertThat(v.peers()).as(v.name()).isFalse();
        }
        assertThat(members.peers(1006).get("node2").lastHeard()).as("only the first frame was heard").isEqualTo(1000);
        assertThat(counters.accepted.get()).isEqualTo(1);
        assertThat(counters.duplicates.get()).isEqualTo(1);
        assertThat(counters.forged.get()).isEqualTo(1);
        assertThat(counters.malformed.get()).isEqualTo(1);
        assertThat(counters.wrongPath.get()).isEqualTo(1);
        assertThat(counters.replayed.get()).isEqualTo(1);
    }

    @Test
    void framesThatWaitedOutAPauseLongerThanTheDeadTimeDoNotCount() {
        challenge.senderRan(1000, 600);
        assertThat(receive(fromNode2(FrameType.HEARTBEAT, report(0, ""), NODE1_CHALLENGE), 1100).verdict())
                .isEqualTo(Verdict.ACCEPTED);
        // the process slept 5 s: a frame from the socket still echoes the old challenge
        Outcome late = receive(fromNode2(FrameType.HEARTBEAT, report(0, ""), NODE1_CHALLENGE), 6000);
        assertThat(late.paused()).isTrue();
        assertThat(late.verdict()).isEqualTo(Verdict.UNANSWERED);
        assertThat(challenge.nonce()).isNotEqualTo(NODE1_CHALLENGE);
        assertThat(members.peers(6000).get("node2").lastHeard()).isEqualTo(1100);
        Outcome fresh = receive(fromNode2(FrameType.HEARTBEAT, report(0, ""), challenge.nonce()), 6050);
        assertThat(fresh.paused()).isFalse();
        assertThat(fresh.verdict()).isEqualTo(Verdict.ACCEPTED);
    }

    @Test
    void aNewerDocumentIsAskedForAtMostEvery300MsAndItsPiecesAreHandedOutWhole() {
        // a long origin makes a document that needs several pieces on a small path
        ClusterDocument theirs = new ClusterDocument(1, "node2-" + "a".repeat(400), false, List.of());
        Outcome o = receive(fromNode2(FrameType.HEARTBEAT, report(theirs.version(), theirs.digest()), NODE1_CHALLENGE),
                1000);
        assertThat(o.request()).as("node2 announces version " + theirs.version()).isNotNull();
        assertThat(o.request().type()).isEqualTo(FrameType.DOCUMENT_REQUEST);
        assertThat(new String(o.request().payload(), StandardCharsets.UTF_8)).isEqualTo("0");
        assertThat(receive(fromNode2(FrameType.HEARTBEAT, report(theirs.version(), theirs.digest()),
                NODE1_CHALLENGE), 1200).request()).as("asked 200 ms ago").isNull();
        assertThat(receive(fromNode2(FrameType.HEARTBEAT, report(theirs.version(), theirs.digest()),
                NODE1_CHALLENGE), 1300).request()).as("asked 300 ms ago").isNotNull();

        List<byte[]> pieces = DocumentChunks.split(theirs, DocumentChunks.HEADER_ROOM + 64);
        assertThat(pieces).hasSizeGreaterThan(1);
        ClusterDocument whole = null;
        for (int i = 0; i < pieces.size(); i++) {
            Outcome p = receive(fromNode2(FrameType.DOCUMENT, pieces.get(i), NODE1_CHALLENGE), 1400 + i);
            assertThat(p.verdict()).isEqualTo(Verdict.ACCEPTED);
            assertThat(p.document() == null).as("piece " + i).isEqualTo(i < pieces.size() - 1);
            whole = p.document();
        }
        assertThat(whole).isEqualTo(theirs);

        Outcome wanted = receive(fromNode2(FrameType.DOCUMENT_REQUEST, "0".getBytes(StandardCharsets.UTF_8),
                NODE1_CHALLENGE), 2000);
        assertThat(wanted.documentWanted()).isTrue();
    }

    @Test
    void anAuthenticatedHeartbeatWhosePayloadCannotBeReadIsCountedAsMalformed() {
        Outcome o = receive(fromNode2(FrameType.HEARTBEAT, "{not a report".getBytes(StandardCharsets.UTF_8),
                NODE1_CHALLENGE), 1000);
        assertThat(o.verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(o.detail()).contains("an authenticated HEARTBEAT from node2 could not be read");
        assertThat(counters.malformed.get()).isEqualTo(1);
    }
}
