package org.vigil.core.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.membership.Challenge.Admission;

class ChallengeTest {

    private static Frame from(String sender, long incarnation, long seq, Challenge its) {
        return new Frame(FrameType.HEARTBEAT, sender, "lan", incarnation, seq, new byte[0], its.nonce(), its.echoes());
    }

    @Test
    void twoNodesAnswerEachOtherWithinOneRoundTrip() {
        Challenge a = new Challenge(11);
        Challenge b = new Challenge(22);
        assertThat(b.admit(from("a", 1, 1, a), "b")).as("a's first frame: b learns its challenge").isEqualTo(Admission.ASKED);
        assertThat(b.echoes()).containsExactly(Map.entry("a", 11L));
        assertThat(a.admit(from("b", 7, 1, b), "a")).as("b echoes a's challenge: counts on a").isEqualTo(Admission.ANSWERED);
        assertThat(b.admit(from("a", 1, 2, a), "b")).as("a now echoes b's").isEqualTo(Admission.ANSWERED);
        assertThat(b.admit(new Frame(FrameType.DOCUMENT, "a", "lan", 1, 3, new byte[0]), "b"))
                .as("once answered, every later frame of that incarnation counts").isEqualTo(Admission.ANSWERED);
    }

    @Test
    void aRecordingMadeBeforeThisNodeRestartedNeverCounts() {
        Challenge before = new Challenge(11); // node1's earlier incarnation
        Challenge peer = new Challenge(22);
        peer.admit(from("node1", 1, 1, before), "node2");
        Frame recorded = from("node2", 5, 1, peer);
        assertThat(recorded.echoFor("node1")).isEqualTo(11L);

        Challenge after = new Challenge(33); // node1 restarted
        assertThat(after.admit(recorded, "node1")).isEqualTo(Admission.ASKED);
        for (int seq = 2; seq < 400; seq++) {
            assertThat(after.admit(from("node2", 5, seq, peer), "node1")).as("recorded frame %d", seq)
                    .isEqualTo(Admission.UNANSWERED);
        }
        assertThat(after.answered("node2")).isFalse();
    }

    @Test
    void aNewIncarnationOfThePeerMustAnswerAgainAndItsEarlierLifeNeverCountsAgain() {
        Challenge me = new Challenge(11);
        Challenge peer = new Challenge(22);
        peer.admit(from("me", 1, 1, me), "peer");
        assertThat(me.admit(from("peer", 5, 1, peer), "me")).isEqualTo(Admission.ANSWERED);

        Challenge restarted = new Challenge(44); // the peer restarted: it has not heard this node yet
        assertThat(me.admit(from("peer", 6, 1, restarted), "me")).isEqualTo(Admission.ASKED);
        assertThat(me.echoes()).containsExactly(Map.entry("peer", 44L));
        assertThat(me.admit(from("peer", 5, 2, peer), "me")).as("a frame of its earlier life")
                .isEqualTo(Admission.UNANSWERED);
        assertThat(me.echoes()).as("still echoes the current life").containsExactly(Map.entry("peer", 44L));
        restarted.admit(from("me", 1, 2, me), "peer");
        assertThat(me.admit(from("peer", 6, 2, restarted), "me")).isEqualTo(Admission.ANSWERED);
    }

    @Test
    void aFrameWithoutAnEchoOrWithAnotherNodesEchoDoesNotCount() {
        Challenge me = new Challenge(11);
        assertThat(me.admit(new Frame(FrameType.HEARTBEAT, "p", "lan", 1, 1, new byte[0], 5, Map.of("other", 11L)), "me"))
                .isEqualTo(Admission.ASKED);
        assertThat(me.admit(new Frame(FrameType.HEARTBEAT, "p", "lan", 1, 2, new byte[0], 5, Map.of()), "me"))
                .isEqualTo(Admission.UNANSWERED);
    }

    @Test
    void afterAPauseOfThisNodeOnlyAnswersToItsNewChallengeCount() {
        Challenge me = new Challenge(11);
        Challenge peer = new Challenge(22);
        peer.admit(from("me", 1, 1, me), "peer");
        me.senderRan(1000, 600);
        assertThat(me.admit(from("peer", 5, 1, peer), "me")).isEqualTo(Admission.ANSWERED);
        assertThat(me.senderRan(1100, 600)).as("one interval later").isFalse();
        assertThat(me.renewAfterPause(1700, 600)).as("600 ms since the sender ran: not yet a pause").isFalse();

        assertThat(me.renewAfterPause(5000, 600)).as("a receiver thread wakes first after a 3.9 s pause").isTrue();
        assertThat(me.nonce()).isNotEqualTo(11L).isNotZero();
        assertThat(me.senderRan(5001, 600)).as("the sender, right after: renewed already").isFalse();
        assertThat(me.admit(from("peer", 5, 2, peer), "me")).as("sent before the peer saw the new challenge")
                .isEqualTo(Admission.UNANSWERED);
        assertThat(me.answered("peer")).isFalse();

        peer.admit(from("me", 1, 2, me), "peer");
        assertThat(me.admit(from("peer", 5, 3, peer), "me")).isEqualTo(Admission.ANSWERED);
    }

    @Test
    void aSenderThatRunsLateRenewsTheChallengeItself() {
        Challenge me = new Challenge(11);
        assertThat(me.senderRan(0, 600)).as("the first run").isFalse();
        assertThat(me.senderRan(2000, 600)).isTrue();
        assertThat(me.renewAfterPause(2001, 600)).as("a receiver right after").isFalse();
    }

    @Test
    void randomChallengesDifferPerIncarnation() {
        assertThat(Challenge.random().nonce()).isNotEqualTo(Challenge.random().nonce()).isNotZero();
    }

    /** The simulation hands its seeded random in, so the challenges renewed after a freeze replay with the seed. */
    @Test
    void aChallengeRenewedAfterAPauseComesFromTheGivenSourceNeverZeroNorTheCurrentOne() {
        java.util.PrimitiveIterator.OfLong draws = java.util.stream.LongStream.of(0, 11, 42, 0, 42, 77).iterator();
        Challenge me = new Challenge(11, draws::nextLong);
        me.senderRan(0, 600);
        assertThat(me.senderRan(2000, 600)).isTrue();
        assertThat(me.nonce()).as("0 and the current challenge are skipped").isEqualTo(42L);
        assertThat(me.senderRan(4000, 600)).isTrue();
        assertThat(me.nonce()).isEqualTo(77L);
    }
}
