package org.vigil.core.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterDocumentTest {

    private static ClusterDocument sample() {
        GroupDef web = GroupDef.create("web").withResources(List.of(
                new ResourceDef("web-ip", "ip", Map.of("address", "192.0.2.10/24")),
                new ResourceDef("web-app", "process", Map.of("command", "sleep 100"))))
                .withPreferredNodes(List.of("node1", "node2")).withFailback(GroupDef.Failback.AUTO, 5000);
        return new ClusterDocument(3, "node1", false, List.of(web));
    }

    @Test
    void jsonRoundTripIsExact() {
        ClusterDocument d = sample();
        assertThat(ClusterDocument.fromJson(d.toJson())).isEqualTo(d);
        assertThat(ClusterDocument.fromJson(d.toPrettyJson())).isEqualTo(d);
        assertThat(ClusterDocument.fromJson(d.toJson()).digest()).isEqualTo(d.digest());
    }

    @Test
    void theHistoryTravelsInTheJsonKeepsTheNewestChangesAndCarriesOverToTheNextVersion() {
        ClusterDocument d = sample();
        String before = d.toJson();
        assertThat(before).as("no history: the form (and digest) of a document from before the history").doesNotContain("history");
        for (int k = 1; k <= ClusterDocument.HISTORY + 4; k++) {
            d = d.nextWithMaintenance("node1", k % 2 == 0).recording(new Change(d.version() + 1, "node1", "alice", 1000L * k,
                    "vigil:maintenance " + k));
        }
        assertThat(d.history()).hasSize(ClusterDocument.HISTORY);
        assertThat(d.history().get(0).what()).isEqualTo("vigil:maintenance 5");
        assertThat(ClusterDocument.fromJson(d.toJson())).isEqualTo(d);
        assertThat(d.next("node2", l -> l).history()).isEqualTo(d.history());
    }

    @Test
    void aChangeShowsControlCharactersAndShortensLongTexts() {
        Change c = new Change(1, "node1", null, 0, "vigil:group-add " + "x".repeat(300) + "\n");
        assertThat(c.user()).isEqualTo("-");
        assertThat(c.what()).hasSize(Change.MAX_TEXT).endsWith("...");
        assertThat(new Change(1, "node1", "eve\u001b[31m", 0, "w").user()).doesNotContain("\u001b");
    }

    @Test
    void higherVersionSupersedesAndTiesAreBrokenTheSameWayEverywhere() {
        ClusterDocument a = sample();
        ClusterDocument b = a.nextWithMaintenance("node2", true);
        assertThat(b.supersedes(a)).isTrue();
        assertThat(a.supersedes(b)).isFalse();
        ClusterDocument c1 = a.nextWithMaintenance("node1", true);
        ClusterDocument c2 = a.nextWithMaintenance("node2", false);
        assertThat(c1.supersedes(c2)).isNotEqualTo(c2.supersedes(c1));
        assertThat(c1.supersedes(c1)).isFalse();
    }

    @Test
    void invalidDocumentsAreRefusedWithTheProblemNamed() {
        assertThatThrownBy(() -> ClusterDocument.fromJson("{\"groups\":[{\"name\":\"a b\"}]}"))
                .hasMessageContaining("group name 'a b' is not valid");
        assertThatThrownBy(() -> ClusterDocument.fromJson("{\"groups\":[{\"name\":\"g\",\"failback\":\"sometimes\"}]}"))
                .hasMessageContaining("failback is 'sometimes'");
        assertThatThrownBy(() -> ClusterDocument.fromJson("{\"format\":9}")).hasMessageContaining("format 1");
        String twice = "{\"groups\":[{\"name\":\"a\",\"resources\":[{\"name\":\"r\",\"type\":\"t\"}]},"
                + "{\"name\":\"b\",\"resources\":[{\"name\":\"r\",\"type\":\"t\"}]}]}";
        assertThatThrownBy(() -> ClusterDocument.fromJson(twice)).hasMessageContaining("resource names are unique");
        assertThatThrownBy(() -> ClusterDocument.fromJson("{\"groups\":[{\"name\":\"g\",\"maxRestarts\":-1}]}"))
                .hasMessageContaining("max-restarts");
    }
}
