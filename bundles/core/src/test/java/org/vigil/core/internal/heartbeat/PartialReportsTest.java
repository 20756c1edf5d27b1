package org.vigil.core.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.ResourceState;

/** A liveness-only heartbeat keeps a recent complete report; an old one stands only as "not settled". */
class PartialReportsTest {

    private static final NodeReport FULL = new NodeReport(4, Set.of("process"), true,
            Map.of("web", new GroupReport(Map.of("app", ResourceState.RUNNING), false, "")), true, -1, Set.of("node1"));
    private static final NodeReport LIVENESS = new NodeReport(5, Set.of(), true, Map.of(), true, -1, Set.of("node1", "node3"));

    @Test
    void aRecentCompleteReportStands() {
        PartialReports p = new PartialReports();
        p.complete("node2", 7, FULL, 1000);
        assertThat(p.partial("node2", 7, LIVENESS, 1300, 300)).isNull();
    }

    @Test
    void anOldCompleteReportKeepsItsGroupsButNoLongerCountsAsSettled() {
        PartialReports p = new PartialReports();
        p.complete("node2", 7, FULL, 1000);
        NodeReport r = p.partial("node2", 7, LIVENESS, 1301, 300);
        assertThat(r.settled()).isFalse();
        assertThat(r.groups()).isEqualTo(FULL.groups());
        assertThat(r.documentVersion()).as("what the heartbeat said now").isEqualTo(5);
        assertThat(r.hears()).containsExactlyInAnyOrder("node1", "node3");
    }

    @Test
    void aNewIncarnationWithoutACompleteReportHasNoGroupsAndIsNotSettled() {
        PartialReports p = new PartialReports();
        p.complete("node2", 7, FULL, 1000);
        NodeReport r = p.partial("node2", 8, LIVENESS, 1001, 300);
        assertThat(r.settled()).isFalse();
        assertThat(r.groups()).isEmpty();
    }
}
