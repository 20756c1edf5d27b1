package org.vigil.core.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * The planned hand-over rule: only a switchover to this node, with every other member heard and holding nothing of
 * the type, lets the agent skip its check that no other host holds the resource. Every case that is not exactly
 * that (a crash takeover, a silent or lost peer, a stale report, another resource of the type still running) keeps
 * the full check.
 */
class HandoverTest {

    private String input;
    private Snapshot planned;

    @BeforeEach
    void load() throws IOException {
        input = Files.readString(GoldenScenarioTest.SCENARIOS.resolve("switchover-target-starts-planned-hand-over/input.json"),
                StandardCharsets.UTF_8);
        planned = ScenarioLoader.load(input);
    }

    private static GroupDef web(Snapshot s) {
        return s.document().group("web").orElseThrow();
    }

    private static ResourceDef webIp(Snapshot s) {
        return web(s).resources().get(0);
    }

    private static boolean handover(Snapshot s) {
        return Handover.planned(s, web(s), webIp(s));
    }

    private static Snapshot withPeer(Snapshot s, Membership m, NodeReport report, NodeView.Loss loss) {
        Map<String, NodeView> nodes = new LinkedHashMap<>(s.nodes());
        NodeView old = nodes.get("node1");
        nodes.put("node1", new NodeView("node1", m, old.onlineSince(), report, loss));
        return new Snapshot(s.localNode(), s.now(), s.settled(), s.document(), nodes, s.local(), s.busy(), s.quorum(),
                s.restarting());
    }

    private static NodeReport reporting(Snapshot s, Map<String, GroupReport> groups, long version) {
        NodeReport r = s.nodes().get("node1").report();
        return new NodeReport(version, r.types(), true, groups, true, 5000, null);
    }

    @Test
    void aSwitchoverWhoseOldHolderIsHeardWithEverythingStoppedIsAPlannedHandOver() {
        assertThat(Handover.whyNot(planned, web(planned), webIp(planned))).isEmpty();
        assertThat(Policy.decide(planned).actions()).containsExactly(new Action.Start("web", "web-ip", true));
    }

    @Test
    void withoutQuorumConfiguredTheMembersAreNotKnownSoTheCheckStays() {
        Snapshot s = new Snapshot(planned.localNode(), planned.now(), true, planned.document(), planned.nodes(),
                planned.local(), planned.busy(), QuorumView.NOT_CONFIGURED);
        assertThat(handover(s)).isFalse();
        assertThat(Policy.decide(s).actions()).containsExactly(new Action.Start("web", "web-ip", false));
    }

    @Test
    void aStartWithoutASwitchoverRequestHere_aCrashTakeoverOrAFirstPlacement_keepsTheCheck() {
        Snapshot none = ScenarioLoader.load(input.replaceAll(",\\s*\"moveTo\": \"node2\"", ""));
        assertThat(web(none).moveTo()).isNull();
        assertThat(handover(none)).isFalse();
        Snapshot elsewhere = ScenarioLoader.load(input.replace("\"moveTo\": \"node2\"", "\"moveTo\": \"node3\""));
        assertThat(handover(elsewhere)).isFalse();
    }

    @Test
    void aPeerThatIsSilentLostOrNeverHeardKeepsTheCheckEvenWithAProof() {
        NodeReport stopped = planned.nodes().get("node1").report();
        assertThat(handover(withPeer(planned, Membership.SUSPECT, stopped, null))).isFalse();
        assertThat(handover(withPeer(planned, Membership.LOST, stopped, new NodeView.Loss(99_000, null, false)))).isFalse();
        assertThat(handover(withPeer(planned, Membership.LOST, stopped,
                new NodeView.Loss(99_000, "left the cluster cleanly", false)))).isFalse();
        assertThat(handover(withPeer(planned, Membership.UNKNOWN, NodeReport.NONE, null))).isFalse();
    }

    @Test
    void aReportOnAnotherDocumentVersionKeepsTheCheck() {
        long v = planned.document().version();
        assertThat(handover(withPeer(planned, Membership.ONLINE, reporting(planned, Map.of(), v - 1), null))).isFalse();
        // newer: the admin may have asked for a move back there, so the peer may be about to start the group
        assertThat(handover(withPeer(planned, Membership.ONLINE, reporting(planned, Map.of(), v + 1), null))).isFalse();
        assertThat(handover(withPeer(planned, Membership.ONLINE, reporting(planned, Map.of(), v), null))).isTrue();
    }

    @Test
    void aPeerStillHoldingAnyResourceOfTheTypeOrOneTheDocumentDoesNotKnowKeepsTheCheck() {
        long v = planned.document().version();
        for (ResourceState st : Set.of(ResourceState.RUNNING, ResourceState.STOPPING, ResourceState.STOP_FAILED,
                ResourceState.FAILED, ResourceState.UNKNOWN)) {
            NodeReport r = reporting(planned, Map.of("web", new GroupReport(Map.of("web-ip", st), false, "")), v);
            assertThat(handover(withPeer(planned, Membership.ONLINE, r, null))).as("web-ip %s on node1", st).isFalse();
        }
        NodeReport orphan = reporting(planned, Map.of("", new GroupReport(Map.of("old-address", ResourceState.RUNNING),
                false, "")), v);
        assertThat(handover(withPeer(planned, Membership.ONLINE, orphan, null))).isFalse();
    }

    @Test
    void anotherTypeStillRunningOnThePeerDoesNotMatter() {
        NodeReport r = reporting(planned, Map.of("web", new GroupReport(Map.of("web-root", ResourceState.STOPPING),
                false, "")), planned.document().version());
        assertThat(handover(withPeer(planned, Membership.ONLINE, r, null))).isTrue();
    }

    @Test
    void aNodeAloneHasNobodyWhoHandedItOver() {
        Map<String, NodeView> alone = Map.of("node2", planned.nodes().get("node2"));
        Snapshot s = new Snapshot("node2", planned.now(), true, planned.document(), alone, planned.local(),
                planned.busy(), planned.quorum());
        assertThat(handover(s)).isFalse();
    }
}
