package org.vigil.core.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LinkStatsTest {

    @Test
    void countsFramesMissedHeartbeatsAndAcknowledgementDelaysPerPeerAndPath() {
        LinkStats s = new LinkStats();
        s.arrived("n2", "lan", 1000, 100, 10, 970);  // acknowledges our frame 10, sent 30 ms before
        s.arrived("n2", "lan", 1100, 100, 10, 970);  // the same acknowledgement again: not a new delay
        s.arrived("n2", "lan", 1600, 100, 12, 1540); // 500 ms of silence: 4 heartbeats missed
        s.arrived("n2", "serial", 1610, 100, 0, Long.MIN_VALUE);
        assertThat(s.lines()).containsExactly(
                new LinkStats.Line("n2", "lan", 3, 4, 2, 90, 60),
                new LinkStats.Line("n2", "serial", 1, 0, 0, 0, -1));
    }

    @Test
    void aFrameAtTheIntervalOrSlightlyLateMissesNothing() {
        LinkStats s = new LinkStats();
        for (long t = 0; t <= 1000; t += 100) {
            s.arrived("n2", "lan", t + (t % 200 == 0 ? 0 : 40), 100, 0, Long.MIN_VALUE);
        }
        assertThat(s.lines().get(0).missed()).isZero();
        assertThat(s.lines().get(0).frames()).isEqualTo(11);
    }
}
