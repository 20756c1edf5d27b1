package org.vigil.core.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.Membership;

class MembershipTrackerTest {

    private final MembershipTracker m = new MembershipTracker(100, 600);

    private Membership state(long now) {
        m.evaluate(now);
        return m.peers(now).get("node2").membership();
    }

    @Test
    void lostOnlyWhenEveryPathIsSilentForTheDeadTime() {
        m.heard("node2", 1, "lan", 0);
        m.heard("node2", 1, "serial", 0);
        assertThat(state(10)).isEqualTo(Membership.ONLINE);
        for (long t = 100; t <= 3000; t += 100) {
            m.heard("node2", 1, "serial", t); // lan is cut, serial still speaks
            assertThat(state(t)).isEqualTo(Membership.ONLINE);
        }
        var paths = m.peers(3000).get("node2").paths();
        assertThat(paths).filteredOn(p -> p.path().equals("lan")).allMatch(p -> !p.up());
        assertThat(paths).filteredOn(p -> p.path().equals("serial")).allMatch(MembershipTracker.PathView::up);
        assertThat(state(3400)).isEqualTo(Membership.SUSPECT);
        assertThat(state(3599)).isEqualTo(Membership.SUSPECT);
        assertThat(state(3600)).isEqualTo(Membership.LOST);
        m.heard("node2", 1, "lan", 5000);
        assertThat(state(5000)).isEqualTo(Membership.ONLINE);
    }

    @Test
    void aPathGoingDownAndComingBackIsReportedOnceEach() {
        m.heard("node2", 1, "lan", 0);
        m.heard("node2", 1, "serial", 0);
        m.evaluate(0);
        assertThat(m.pathTransitions(0)).isEmpty();
        for (long t = 100; t <= 1000; t += 100) {
            m.heard("node2", 1, "serial", t);
            m.evaluate(t);
        }
        assertThat(m.pathTransitions(1000)).containsExactly(new MembershipTracker.PathTransition("node2", "lan", false));
        assertThat(m.pathTransitions(1000)).isEmpty();
        m.heard("node2", 1, "lan", 1100);
        assertThat(m.pathTransitions(1100)).containsExactly(new MembershipTracker.PathTransition("node2", "lan", true));
    }

    @Test
    void aRestartWithinTheDeadTimeIsSeenAsTheEndOfTheEarlierLife() {
        m.heard("node2", 1, "lan", 0);
        m.evaluate(0);
        m.heard("node2", 2, "lan", 200);
        var transitions = m.evaluate(200);
        assertThat(transitions).anyMatch(t -> t.to() == Membership.LOST && t.detail().contains("restarted"));
        assertThat(transitions).anyMatch(t -> t.to() == Membership.ONLINE);
        assertThat(m.peers(200).get("node2").incarnation()).isEqualTo(2);
    }

    @Test
    void framesOfAnOlderIncarnationDoNotKeepANodeAlive() {
        m.heard("node2", 2, "lan", 0);
        m.evaluate(0);
        m.heard("node2", 1, "lan", 500);
        assertThat(state(700)).isEqualTo(Membership.LOST);
    }

    @Test
    void aCleanLeaveIsLostAtOnce() {
        m.heard("node2", 1, "lan", 0);
        m.evaluate(0);
        m.leaving("node2", 1);
        assertThat(state(1)).isEqualTo(Membership.LOST);
    }

    @Test
    void deadTimeMustCoverSeveralIntervals() {
        assertThatThrownBy(() -> new MembershipTracker(500, 600)).hasMessageContaining("dead.time.ms");
    }
}
