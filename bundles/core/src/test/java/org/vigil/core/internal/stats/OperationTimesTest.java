package org.vigil.core.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OperationTimesTest {

    @Test
    void keepsCountFailuresSumLastAndLongestPerResourceAndOperation() {
        OperationTimes t = new OperationTimes();
        t.record("web-ip", "monitor", 12, true);
        t.record("web-ip", "monitor", 30, false);
        t.record("web-ip", "monitor", 8, true);
        t.record("web-ip", "start", 250, true);
        t.record("db", "stop", -5, true); // a clock oddity never makes a negative duration
        assertThat(t.lines()).containsExactly(
                new OperationTimes.Line("db", "stop", 1, 0, 0, 0, 0),
                new OperationTimes.Line("web-ip", "monitor", 3, 1, 50, 8, 30),
                new OperationTimes.Line("web-ip", "start", 1, 0, 250, 250, 250));
    }

    @Test
    void eventCountsCountEachKind() {
        EventCounts e = new EventCounts();
        e.count("node-lost");
        e.count("path-down");
        e.count("path-down");
        assertThat(e.snapshot()).containsExactly(java.util.Map.entry("node-lost", 1L), java.util.Map.entry("path-down", 2L));
    }
}
