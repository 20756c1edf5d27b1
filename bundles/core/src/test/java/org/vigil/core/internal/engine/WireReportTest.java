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

    private static NodeReport noisy(int groups, int running) {
        Map<String, GroupReport> gs = new java.util.TreeMap<>();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            out.append((char) (1 + i % 31));
        }
        for (int i = 0; i < groups; i++) {
            // a note as an older node sent it: the program's raw output
            gs.put("g" + i, new GroupReport(Map.of(), true, "start of g" + i + "-prog failed: last output: " + out
                    + " and then some words of explanation that make the note longer than a short note".repeat(3)));
        }
        for (int i = 0; i < running; i++) {
            gs.put("r" + i, new GroupReport(Map.of("r" + i + "-app", ResourceState.RUNNING), false,
                    "monitor of r" + i + "-app failed once (FAILED: not ready: connection refused), restarted in place"));
        }
        return new NodeReport(12, Set.of("process"), true, gs, true, -1, Set.of("node2"));
    }

    @Test
    void threeNotesOf4000ControlBytesFitAUdpFrameAndArriveBoundedAndEscaped() {
        WireReport r = new WireReport(noisy(3, 0), "d", false);
        byte[] b = r.encode(64_900);
        assertThat(b.length).isLessThanOrEqualTo(64_900);
        WireReport back = WireReport.decode(b);
        assertThat(back.complete()).isTrue();
        assertThat(back.report().groups()).hasSize(3);
        back.report().groups().values().forEach(g -> {
            assertThat(g.banned()).isTrue();
            assertThat(g.note()).startsWith("start of g").contains("\\x..");
            assertThat(g.note().length()).isLessThanOrEqualTo(org.vigil.core.internal.model.Text.NOTE_MAX);
            assertThat(org.vigil.core.internal.model.Text.firstControl(g.note())).isEqualTo(-1);
        });
    }

    @Test
    void onASmallPathNotesGoFirstThenGroupsAndTheSameReportAlwaysGivesTheSameBytes() {
        WireReport r = new WireReport(noisy(3, 4), "d", false);
        byte[] shortNotes = r.encode(1500);
        WireReport a = WireReport.decode(shortNotes);
        assertThat(shortNotes.length).isLessThanOrEqualTo(1500);
        assertThat(a.complete()).isTrue();
        assertThat(a.report().groups()).hasSize(7);
        assertThat(a.report().groups().get("g0").note().length()).isLessThanOrEqualTo(WireReport.SHORT_NOTE);

        byte[] noNotes = r.encode(700);
        WireReport b = WireReport.decode(noNotes);
        assertThat(noNotes.length).isLessThanOrEqualTo(700);
        assertThat(b.complete()).isTrue();
        assertThat(b.report().groups()).as("every active or banned group is kept").hasSize(7)
                .allSatisfy((name, g) -> assertThat(g.note()).isEmpty());
        assertThat(b.report().group("r3").resources()).containsEntry("r3-app", ResourceState.RUNNING);

        byte[] liveness = r.encode(300);
        WireReport c = WireReport.decode(liveness);
        assertThat(liveness.length).isLessThanOrEqualTo(300);
        assertThat(c.complete()).as("liveness only: the receiver keeps the last complete report").isFalse();
        assertThat(c.report().groups()).isEmpty();
        assertThat(c.report().documentVersion()).isEqualTo(12);
        assertThat(c.report().hears()).containsExactly("node2");

        assertThat(r.encode(1500)).isEqualTo(shortNotes);
        assertThat(r.encode(700)).isEqualTo(noNotes);
        assertThat(r.encode(300)).isEqualTo(liveness);
    }
}
