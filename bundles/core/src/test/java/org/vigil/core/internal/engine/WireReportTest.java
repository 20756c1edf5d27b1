package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.policy.ResourceState;

/** The heartbeat payload carries the public network verdict; older nodes' payloads (without it) still decode. */
class WireReportTest {

    @Test
    void thePublicNetworkVerdictTravelsWithItsReasonAndDampening() {
        NodeReport r = new NodeReport(7, Set.of("ip"), true, Map.of("web", new GroupReport(Map.of("web-ip",
                ResourceState.RUNNING), false, "")), true, 5000, Set.of("node2"),
                new PublicNetwork(PublicNetwork.State.LOST, "eth0: no carrier", 2200));
        WireReport back = WireReport.decode(new WireReport(r, "d1", false).encode());
        assertThat(back.report()).isEqualTo(r);
        assertThat(back.report().publicNetwork().lost()).isTrue();
    }

    @Test
    void aReportWithoutTheVerdictIsNotWatchedAndAnUnknownStateIsAnErrorNamingTheField() {
        NodeReport r = new NodeReport(1, Set.of(), true, Map.of());
        String json = new String(new WireReport(r, "", false).encode(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("\"p\"");
        assertThat(WireReport.decode(json.getBytes(StandardCharsets.UTF_8)).report().publicNetwork())
                .isEqualTo(PublicNetwork.NOT_WATCHED);
        String bad = json.substring(0, json.length() - 1) + ",\"p\":{\"s\":\"MAYBE\",\"d\":\"\"}}";
        assertThatThrownBy(() -> WireReport.decode(bad.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s").hasMessageContaining("MAYBE");
    }

    @Test
    void aGroupHeldForARestartInPlaceTravelsAsHeldAndCountsAsActive() {
        NodeReport r = new NodeReport(3, Set.of("process"), true, Map.of("web", new GroupReport(Map.of(), false,
                "monitor of web-server failed", true)));
        NodeReport back = WireReport.decode(new WireReport(r, "d", false).encode()).report();
        assertThat(back).isEqualTo(r);
        assertThat(back.group("web").isActive()).as("held while nothing of it runs").isTrue();
        NodeReport plain = new NodeReport(3, Set.of(), true, Map.of("web", new GroupReport(Map.of(), false, "x")));
        assertThat(new String(new WireReport(plain, "d", false).encode(), StandardCharsets.UTF_8))
                .as("an older node's payload shape when nothing is held").doesNotContain("\"i\"");
    }
}
