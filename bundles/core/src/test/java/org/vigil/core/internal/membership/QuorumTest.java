package org.vigil.core.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.QuorumView;

class QuorumTest {

    private static Quorum quorum(String self, String nodes, String tieBreaker) {
        Quorum q = new Quorum(self);
        q.configure(Quorum.Settings.parse(nodes, tieBreaker, 5000));
        return q;
    }

    @Test
    void aStrictMajorityOfTheConfiguredVotesIsQuorumAndANeverSeenMemberCounts() {
        Quorum q = quorum("a", "a, b, c", "none");
        assertThat(q.evaluate(0, Set.of("a"), Set.of()).has()).as("1 of 3").isFalse();
        QuorumView two = q.evaluate(10, Set.of("a", "b"), Set.of());
        assertThat(two.has()).isTrue();
        assertThat(two.votes()).isEqualTo(2);
        assertThat(two.total()).isEqualTo(3);
        assertThat(two.detail()).contains("2 of 3 votes, a majority", "lost: c");
    }

    @Test
    void votesAreWeighted() {
        Quorum q = quorum("c", "a, b, c:3", "none");
        assertThat(q.evaluate(0, Set.of("c"), Set.of()).has()).as("3 of 5").isTrue();
        Quorum a = quorum("a", "a, b, c:3", "none");
        assertThat(a.evaluate(0, Set.of("a", "b"), Set.of()).has()).as("2 of 5").isFalse();
    }

    @Test
    void knownDownMembersLeaveTheTotal() {
        Quorum q = quorum("a", "a, b", "none");
        assertThat(q.evaluate(0, Set.of("a"), Set.of()).has()).isFalse();
        QuorumView v = q.evaluate(10, Set.of("a"), Set.of("b"));
        assertThat(v.has()).as("b fenced: 1 of 1").isTrue();
        assertThat(v.total()).isEqualTo(1);
    }

    @Test
    void exactlyHalfWithoutTieBreakerIsNoQuorumButMayFence() {
        Quorum q = quorum("a", "a, b", "none");
        q.evaluate(0, Set.of("a", "b"), Set.of());
        QuorumView v = q.evaluate(10, Set.of("a"), Set.of());
        assertThat(v.has()).isFalse();
        assertThat(v.mayFence()).isTrue();
        assertThat(q.wantsTieBreak(10)).isFalse();
    }

    @Test
    void exactlyHalfAsksTheTieBreakerKeepingThePreviousStateForABoundedTime() {
        Quorum q = quorum("a", "a, b", "ping");
        assertThat(q.evaluate(0, Set.of("a", "b"), Set.of()).has()).isTrue();
        QuorumView asking = q.evaluate(100, Set.of("a"), Set.of());
        assertThat(asking.has()).as("previous state stands while asking").isTrue();
        assertThat(asking.detail()).contains("asking the ping tie-breaker");
        assertThat(q.wantsTieBreak(100)).isTrue();
        assertThat(q.lost()).containsExactly("b");
        assertThat(q.evaluate(100 + Quorum.TIE_WAIT_MILLIS, Set.of("a"), Set.of()).has()).as("no answer in time").isFalse();
        q.tieAnswer(true, 2500);
        assertThat(q.wantsTieBreak(2600)).isFalse();
        assertThat(q.evaluate(2600, Set.of("a"), Set.of()).has()).isTrue();
        assertThat(q.wantsTieBreak(2500 + Quorum.TIE_RECHECK_MILLIS)).as("asked again while the tie lasts").isTrue();
        q.tieAnswer(false, 4600);
        QuorumView lost = q.evaluate(4700, Set.of("a"), Set.of());
        assertThat(lost.has()).isFalse();
        assertThat(lost.mayFence()).as("a side that lost the tie never fences the winner").isFalse();
        assertThat(q.evaluate(4800, Set.of("a", "b"), Set.of()).has()).as("healed").isTrue();
        assertThat(q.wantsTieBreak(4800)).isFalse();
    }

    @Test
    void theTieBreakerIsNotUsedBeforeEveryMemberWasSeen() {
        Quorum q = quorum("a", "a, b", "ping");
        QuorumView v = q.evaluate(0, Set.of("a"), Set.of());
        assertThat(v.has()).isFalse();
        assertThat(v.detail()).contains("never seen: b");
        assertThat(q.wantsTieBreak(0)).isFalse();
    }

    @Test
    void aPauseLongerThanTheDeadTimeTakesQuorumAwayUntilTheNodeHasRejoined() {
        Quorum q = quorum("a", "a, b", "none");
        assertThat(q.tick(1000, 600, 800)).isZero();
        assertThat(q.tick(1025, 600, 800)).isZero();
        assertThat(q.evaluate(1025, Set.of("a", "b"), Set.of()).has()).isTrue();
        assertThat(q.tick(3025, 600, 800)).as("paused 2 s").isEqualTo(2000);
        QuorumView v = q.evaluate(3025, Set.of("a", "b"), Set.of());
        assertThat(v.has()).isFalse();
        assertThat(v.mayFence()).isFalse();
        assertThat(v.detail()).contains("paused for 2.0 s");
        assertThat(q.evaluate(3800, Set.of("a", "b"), Set.of()).has()).isFalse();
        assertThat(q.evaluate(3825, Set.of("a", "b"), Set.of()).has()).isTrue();
    }

    @Test
    void thePauseRuleHoldsWithoutQuorumConfiguredToo() {
        Quorum q = new Quorum("a");
        q.tick(0, 600, 800);
        assertThat(q.evaluate(0, Set.of("a"), Set.of())).isEqualTo(QuorumView.NOT_CONFIGURED);
        q.tick(700, 600, 800);
        assertThat(q.evaluate(700, Set.of("a"), Set.of()).has()).isFalse();
        assertThat(q.evaluate(1500, Set.of("a"), Set.of()).has()).isTrue();
    }

    @Test
    void aNodeNotNamedInClusterNodesHasNoQuorum() {
        Quorum q = quorum("x", "a, b", "none");
        QuorumView v = q.evaluate(0, Set.of("x", "a", "b"), Set.of());
        assertThat(v.has()).isFalse();
        assertThat(v.detail()).contains("not named in cluster.nodes");
    }

    @Test
    void badSettingsNameTheParameter() {
        assertThatThrownBy(() -> Quorum.Settings.parse("a, b:x", "none", 5000)).hasMessageStartingWith("cluster.nodes:");
        assertThatThrownBy(() -> Quorum.Settings.parse("a, a", "none", 5000)).hasMessageContaining("named twice");
        assertThatThrownBy(() -> Quorum.Settings.parse("a:0, b:0", "none", 5000)).hasMessageContaining("no member has a vote");
        assertThatThrownBy(() -> Quorum.Settings.parse("a, b", "Ping!", 5000)).hasMessageStartingWith("quorum.tiebreaker:");
        assertThatThrownBy(() -> Quorum.Settings.parse("a, b", "none", 10)).hasMessageStartingWith("quorum.loss.stop.ms:");
        assertThat(Quorum.Settings.parse("", "none", 5000).configured()).isFalse();
        assertThat(Quorum.Settings.parse("a b:2", "none", 5000).votes()).containsEntry("a", 1).containsEntry("b", 2);
    }

    @Test
    void aPauseOfANodeThatKnowsNoOtherNodeChangesNothing() {
        Quorum q = new Quorum("a");
        q.tick(0, 600, 800, false);
        assertThat(q.tick(5000, 600, 800, false)).isZero();
        assertThat(q.evaluate(5000, Set.of("a"), Set.of()).has()).isTrue();
    }

    @Test
    void aTieDecidedAtTheInstantHoldsNoGraceAndAPendingVerdictKeepsWhatTheSideHad() {
        Quorum q = quorum("a", "a, b", "ping");
        assertThat(q.evaluate(0, Set.of("a", "b"), Set.of()).has()).as("2 of 2").isTrue();
        // b lost, b's address stopped answering moments ago: most likely down, not proven yet
        QuorumView pending = q.evaluate(100, Set.of("a"), Set.of(), new Quorum.TieVerdict(false, "b stopped answering", true));
        assertThat(pending.has()).as("kept while pending").isTrue();
        assertThat(pending.detail()).contains("keeps this side's quorum meanwhile");
        assertThat(q.wantsTieBreak(100)).as("no tie-breaker round for an instant verdict").isFalse();
        assertThat(q.evaluate(150, Set.of("a"), Set.of(), new Quorum.TieVerdict(true, "b silent")).has()).isTrue();
        QuorumView lost = q.evaluate(175, Set.of("a"), Set.of(), new Quorum.TieVerdict(false, "b answers"));
        assertThat(lost.has()).as("no grace: a lost verdict counts at once").isFalse();
        assertThat(lost.detail()).contains("chose the other side");
        assertThat(q.evaluate(200, Set.of("a"), Set.of(), new Quorum.TieVerdict(false, "b stopped", true)).has())
                .as("a pending verdict never gives quorum back").isFalse();
    }
}
