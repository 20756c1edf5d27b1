package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The start-up wait and the not-ready reasons, with the clock passed in. */
class StartGateTest {

    private static final long SETTLE = 1000;
    private static final long INTERVAL = 100;

    @Test
    void theWaitRunsFromTheStartOrFromTheFirstOpenPathWhicheverIsLater() {
        StartGate g = new StartGate(5000, SETTLE, () -> INTERVAL);
        assertThat(g.waitOver(5999)).isFalse();
        assertThat(g.waitOver(6000)).isTrue();

        g.setListeningSince(() -> 7000);
        assertThat(g.waitOver(7999)).as("a path that opened late restarts the wait").isFalse();
        assertThat(g.waitOver(8000)).isTrue();
    }

    @Test
    void aPeerTalkingWithoutAnsweringTheChallengeStretchesTheWaitToTwiceTheSettleTimeAtMost() {
        StartGate g = new StartGate(0, SETTLE, () -> INTERVAL);
        g.setUnansweredAt(() -> 1400);
        assertThat(g.waitOver(1500)).as("its last frame 100 ms ago").isFalse();
        assertThat(g.waitOver(1600)).as("2 intervals ago: still talking").isFalse();
        assertThat(g.waitOver(1601)).as("silent for more than 2 intervals").isTrue();

        g.setUnansweredAt(() -> 1990);
        assertThat(g.waitOver(1999)).isFalse();
        assertThat(g.waitOver(2000)).as("twice the settle time: a recording never answers").isTrue();
    }

    @Test
    void theSettleTimeCanChangeWhileWaiting() {
        StartGate g = new StartGate(0, SETTLE, () -> INTERVAL);
        g.setSettleMillis(3000);
        assertThat(g.settleMillis()).isEqualTo(3000);
        assertThat(g.waitOver(2999)).isFalse();
        assertThat(g.waitOver(3000)).isTrue();
    }

    @Test
    void theReasonSetByTheConfigurationComesBeforeTheCheckAndNullMeansReady() {
        StartGate g = new StartGate(0, SETTLE, () -> INTERVAL);
        assertThat(g.notReady()).isNull();
        g.setReadinessCheck(() -> "no open heartbeat path");
        assertThat(g.notReady()).isEqualTo("no open heartbeat path");
        g.setNotReady("no cluster key");
        assertThat(g.notReady()).isEqualTo("no cluster key");
        g.setNotReady(null);
        assertThat(g.notReady()).isEqualTo("no open heartbeat path");
    }
}
