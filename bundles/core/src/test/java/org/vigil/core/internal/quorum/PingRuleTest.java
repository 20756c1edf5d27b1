package org.vigil.core.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.quorum.PingRule.Verdict;

/**
 * The ping tie-breaker's rule on a controllable clock: the prober's state is set by hand (when each address last
 * answered, since when it is probed, when its ping last reported), the instant is passed in.
 */
class PingRuleTest {

    static final String GW = "203.0.113.1";
    static final String P1 = "198.51.100.1";
    static final String P2 = "198.51.100.2";
    static final long I = 50;
    static final long SILENCE = 400;

    /** The prober's state, by hand. */
    static final class Seen implements PingAnswers {
        final Map<String, Long> answer = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Long> since = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Long> report = new java.util.concurrent.ConcurrentHashMap<>();

        /** Probed from {@code from} on, reporting at {@code now}. */
        Seen probed(String a, long from, long now) {
            since.put(a, from);
            report.put(a, now);
            return this;
        }

        Seen answered(String a, long at) {
            answer.put(a, at);
            return this;
        }

        @Override
        public long lastAnswer(String a) {
            return answer.getOrDefault(a, NEVER);
        }

        @Override
        public long probingSince(String a) {
            return since.getOrDefault(a, NOT_PROBING);
        }

        @Override
        public long lastReport(String a) {
            return report.getOrDefault(a, NEVER);
        }
    }

    private final PingRule rule = new PingRule(List.of(GW), Map.of("node1", P1, "node2", P2), "node1", I, SILENCE);

    private Verdict node2(Seen s, long now) {
        return rule.decide(Set.of("node2"), Set.of("node1"), s, now).verdict();
    }

    private Verdict node1(Seen s, long now) {
        return rule.decide(Set.of("node1"), Set.of("node2"), s, now).verdict();
    }

    @Test
    void theTargetCountsAsReachedOnlyWithAnAnswerWithinFourProbePeriods() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, 0, now).probed(P1, 0, now);
        s.answered(GW, now - 4 * I);
        assertThat(node1(s, now)).isEqualTo(Verdict.WIN);
        s.answered(GW, now - 4 * I - 1);
        assertThat(node1(s, now)).isEqualTo(Verdict.LOSE);
        assertThat(rule.decide(Set.of("node1"), Set.of("node2"), s, now).detail()).contains("no ping target answered");
    }

    @Test
    void theLostPeersAddressIsSilentOnlyAfterTheSilenceWindowWhileItsPingKeepsReporting() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, 0, now).answered(GW, now - 10).probed(P1, 0, now);
        s.answered(P1, now - 4 * I);
        assertThat(node2(s, now)).as("answered within the reach window: node1's side may reach the gateway")
                .isEqualTo(Verdict.LOSE);
        s.answered(P1, now - 4 * I - 1);
        assertThat(node2(s, now)).as("stopped answering, not silent for 400 ms yet: most likely down, not proven")
                .isEqualTo(Verdict.PENDING);
        s.answered(P1, now - SILENCE + 1);
        assertThat(node2(s, now)).as("silent for 399 ms").isEqualTo(Verdict.PENDING);
        assertThat(rule.decide(Set.of("node2"), Set.of("node1"), s, now).detail()).doesNotContain("399")
                .contains("stopped answering");
        s.answered(P1, now - SILENCE);
        assertThat(node2(s, now)).as("silent for 400 ms").isEqualTo(Verdict.WIN);
        s.report.put(P1, now - 4 * I - 1);
        assertThat(node2(s, now)).as("its ping has not reported for over 4 periods (stopped? restarting?)")
                .isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void aPingThatRestartedMustProbeForTheWholeSilenceWindowBeforeSilenceCounts() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, 0, now).answered(GW, now).answered(P1, 5_000);
        s.probed(P1, now - SILENCE + 1, now);
        assertThat(node2(s, now)).isEqualTo(Verdict.UNDECIDED);
        s.probed(P1, now - SILENCE, now);
        assertThat(node2(s, now)).isEqualTo(Verdict.WIN);
        s.since.put(P1, PingAnswers.NOT_PROBING);
        assertThat(node2(s, now)).as("no ping running for it").isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void whenTheLostPeerAnswersOnlyTheWinnersSideWinsAndItNeedsNoPeerData() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, 0, now).answered(GW, now).probed(P1, 0, now).answered(P1, now)
                .probed(P2, 0, now).answered(P2, now);
        assertThat(node1(s, now)).isEqualTo(Verdict.WIN);
        assertThat(node2(s, now)).isEqualTo(Verdict.LOSE);
        Seen fresh = new Seen().probed(GW, now - 100, now).answered(GW, now);
        assertThat(node1(fresh, now)).as("the winner reaching the gateway needs nothing else").isEqualTo(Verdict.WIN);
    }

    @Test
    void rightAfterAStartNothingIsDecidedUntilTheTargetWasProbedForAWindow() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, now - 100, now).probed(P1, now - 100, now);
        assertThat(node1(s, now)).isEqualTo(Verdict.UNDECIDED);
        assertThat(node2(s, now)).isEqualTo(Verdict.UNDECIDED);
        s.probed(GW, now - 4 * I, now);
        assertThat(node1(s, now)).as("a whole window without an answer").isEqualTo(Verdict.LOSE);
        s.answered(GW, now);
        assertThat(node2(s, now)).as("the peer not probed for the silence window yet").isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void aLostMemberWithoutAPublicAddressMayReachTheTargetToo() {
        long now = 10_000;
        PingRule noPeers = new PingRule(List.of(GW), Map.of(), "node1", I, SILENCE);
        Seen s = new Seen().probed(GW, 0, now).answered(GW, now);
        assertThat(noPeers.decide(Set.of("node2"), Set.of("node1"), s, now).verdict()).isEqualTo(Verdict.LOSE);
        assertThat(noPeers.decide(Set.of("node1"), Set.of("node2"), s, now).verdict()).isEqualTo(Verdict.WIN);
    }

    @Test
    void theWinnersSideThatHasNotHeardEveryMemberSinceItStartedWinsOnlyByTheOthersSilence() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, 0, now).answered(GW, now - 10).probed(P2, 0, now).answered(P2, now - 10);
        PingRule.Memory fresh = new PingRule.Memory(false, Set.of());
        PingRule.Outcome o = rule.decide(Set.of("node1"), Set.of("node2"), s, now, fresh);
        assertThat(o.verdict()).as("node1 restarted (or lost quorum) while node2 may hold the groups it won by node1's "
                + "silence; node2's address answers").isEqualTo(Verdict.LOSE);
        assertThat(o.detail()).contains(P2 + " answered").contains("wait for all");
        assertThat(node1(s, now)).as("the same side, settled: the winner's side wins").isEqualTo(Verdict.WIN);
        s.answered(P2, now - SILENCE);
        assertThat(rule.decide(Set.of("node1"), Set.of("node2"), s, now, fresh).verdict())
                .as("node2's machine is down: a fresh node1 wins by its silence").isEqualTo(Verdict.WIN);
    }

    @Test
    void aMemberFoundSilentWhileThisSideHeldQuorumStaysCutOffWhenItsAddressAnswersAgain() {
        long now = 10_000;
        Seen s = new Seen().probed(GW, 0, now).answered(GW, now - 10).probed(P1, 0, now).answered(P1, now - 10);
        assertThat(node2(s, now)).as("node1's machine answers: node1 (the winner) may hold its lease")
                .isEqualTo(Verdict.LOSE);
        PingRule.Outcome o = rule.decide(Set.of("node2"), Set.of("node1"), s, now,
                new PingRule.Memory(true, Set.of("node1")));
        assertThat(o.verdict()).as("node1 was silent while node2 held quorum (it lost its lease then) and has not "
                + "been heard since: its machine powered on again takes nothing from node2").isEqualTo(Verdict.WIN);
        assertThat(o.detail()).contains("node1: silent while this side held quorum");
        s.answered(GW, now - 4 * I - 1);
        assertThat(rule.decide(Set.of("node2"), Set.of("node1"), s, now, new PingRule.Memory(true, Set.of("node1")))
                .verdict()).as("no target reached: node2 loses all the same").isEqualTo(Verdict.LOSE);
    }
}
