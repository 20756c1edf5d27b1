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
