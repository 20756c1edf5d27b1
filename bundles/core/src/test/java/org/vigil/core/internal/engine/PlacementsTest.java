package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.ScenarioLoader;
import org.vigil.core.internal.policy.Snapshot;
import org.vigil.core.internal.stats.GroupCounters;

class PlacementsTest {

    /** node1's view as a snapshot (its reports read like a peer's: the snapshot's local node is a third one). */
    private static Snapshot snapshot(String node2Web, String node1Web, String moveTo) {
        return ScenarioLoader.load("""
                {"local": "node3",
                 "document": {"version": 3, "origin": "node1", "groups": [{"name": "web", %s
                   "resources": [{"name": "web-ip", "type": "ip", "params": {}}], "preferredNodes": ["node1", "node2"]}]},
                 "nodes": {"node1": {"membership": "ONLINE", "types": ["ip"], "groups": {%s}},
                           "node2": {"membership": "ONLINE", "types": ["ip"], "groups": {%s}},
                           "node3": {"membership": "ONLINE", "types": ["ip"], "groups": {}}}}
                """.formatted(moveTo == null ? "" : "\"moveTo\": \"" + moveTo + "\",",
                node1Web == null ? "" : "\"web\": {\"resources\": {\"web-ip\": \"" + node1Web + "\"}}",
                node2Web == null ? "" : "\"web\": {\"resources\": {\"web-ip\": \"" + node2Web + "\"}}"));
    }

    @Test
    void aPeerNotHavingProbedYetIsNotTheHolderSoAFirstStartIsNoTakeover() {
        GroupCounters c = new GroupCounters();
        Placements.observe(c, "node1", snapshot("UNKNOWN", null, null));
        Placements.observe(c, "node1", snapshot("UNKNOWN", "STARTING", null));
        Placements.observe(c, "node1", snapshot(null, "RUNNING", null));
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(0, 0, 0));
    }

    @Test
    void aGroupRunningOnThePeerAndThenStartingHereIsAFailoverOrASwitchoverToHere() {
        GroupCounters c = new GroupCounters();
        Placements.observe(c, "node1", snapshot("RUNNING", null, null));
        Placements.observe(c, "node1", snapshot(null, "STARTING", null));
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(1, 0, 0));
        Placements.observe(c, "node1", snapshot("RUNNING", null, null));
        Placements.observe(c, "node1", snapshot(null, "STARTING", "node1"));
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(1, 1, 0));
    }
}
