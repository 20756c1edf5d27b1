package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.json.Json;
import org.vigil.core.internal.json.JsonReader;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.policy.Snapshot;

/**
 * The engine confirms the policy's planned hand-over only when this node watched the old holder report the resource
 * running and then stopped, online all along and recently: a switchover. A named bring-in (the same request in the
 * document) with nobody holding the resource before keeps the agent's full check.
 */
class HandoverWitnessTest {

    private static final Action.Start MARKED = new Action.Start("web", "web-ip", true);
    private static final QuorumView QUORUM = new QuorumView(true, true, true, 2, 2, "2 of 2 votes", 5000);

    private ClusterDocument doc;
    private final HandoverWitness witness = new HandoverWitness();

    @BeforeEach
    void load() throws IOException {
        String json = Files.readString(Path.of("src/test/resources/scenarios/switchover-target-starts-planned-hand-over"
                + "/input.json"), StandardCharsets.UTF_8);
        doc = ClusterDocument.fromReader(new JsonReader(Json.parseObject(json), "scenario").object("document"));
    }

    /** node2's view at {@code now}: node1 in {@code m} since {@code onlineSince}, reporting web-ip in {@code st}. */
    private Snapshot view(long now, Membership m, long onlineSince, ResourceState st) {
        Map<String, GroupReport> groups = st == ResourceState.STOPPED ? Map.of()
                : Map.of("web", new GroupReport(Map.of("web-ip", st), false, ""));
        NodeReport r1 = new NodeReport(doc.version(), Set.of("ip", "process"), true, groups, true, 5000, null);
        NodeReport r2 = new NodeReport(doc.version(), Set.of("ip", "process"), true, Map.of(), true, 5000, null);
        return new Snapshot("node2", now, true, doc, Map.of("node1", new NodeView("node1", m, onlineSince, r1),
                "node2", new NodeView("node2", Membership.ONLINE, 0, r2)), Map.of(), Set.of(), QUORUM);
    }

    @Test
    void aStopWatchedFromRunningToStoppedConfirmsTheHandOver() {
        witness.observe(view(1_000, Membership.ONLINE, 0, ResourceState.RUNNING));
        witness.observe(view(1_100, Membership.ONLINE, 0, ResourceState.STOPPING));
        Snapshot now = view(1_200, Membership.ONLINE, 0, ResourceState.STOPPED);
        witness.observe(now);
        assertThat(witness.confirm(MARKED, now)).isEqualTo(MARKED);
    }

    @Test
    void nobodySeenHoldingItBefore_aNamedBringIn_isAPlainStart() {
        // A new resource is probed on every node first (reported UNKNOWN, then stopped): nobody held it.
        witness.observe(view(1_000, Membership.ONLINE, 0, ResourceState.UNKNOWN));
        Snapshot now = view(1_200, Membership.ONLINE, 0, ResourceState.STOPPED);
        witness.observe(now);
        assertThat(witness.confirm(MARKED, now)).isEqualTo(new Action.Start("web", "web-ip", false));
    }

    @Test
    void aHolderThatWasSilentOrRejoinedMeanwhileIsNoWitness() {
        witness.observe(view(1_000, Membership.ONLINE, 0, ResourceState.RUNNING));
        witness.observe(view(1_100, Membership.SUSPECT, 0, ResourceState.RUNNING));
        Snapshot now = view(1_200, Membership.ONLINE, 0, ResourceState.STOPPED);
        witness.observe(now);
        assertThat(witness.confirm(MARKED, now).render()).doesNotContain("hand-over");

        witness.observe(view(2_000, Membership.ONLINE, 0, ResourceState.RUNNING));
        Snapshot rejoined = view(2_200, Membership.ONLINE, 2_100, ResourceState.STOPPED); // a new membership episode
        witness.observe(rejoined);
        assertThat(witness.confirm(MARKED, rejoined).render()).doesNotContain("hand-over");
    }

    @Test
    void aHolderSeenLongAgoIsNoWitness() {
        witness.observe(view(1_000, Membership.ONLINE, 0, ResourceState.RUNNING));
        Snapshot later = view(1_000 + HandoverWitness.WINDOW_MILLIS + 1, Membership.ONLINE, 0, ResourceState.STOPPED);
        witness.observe(later);
        assertThat(witness.confirm(MARKED, later).render()).doesNotContain("hand-over");
    }

    @Test
    void aHolderStillReportingItActiveIsNoWitnessAndOtherActionsPassUnchanged() {
        Snapshot now = view(1_000, Membership.ONLINE, 0, ResourceState.RUNNING);
        witness.observe(now);
        assertThat(witness.confirm(MARKED, now).render()).doesNotContain("hand-over");
        Action stop = new Action.Stop("web", "web-ip");
        assertThat(witness.confirm(stop, now)).isSameAs(stop);
        Action plain = new Action.Start("web", "web-ip");
        assertThat(witness.confirm(plain, now)).isSameAs(plain);
    }
}
