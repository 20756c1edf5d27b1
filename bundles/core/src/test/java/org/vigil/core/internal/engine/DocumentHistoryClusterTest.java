package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.model.Change;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * Every change an admin makes is attributed (issue 12): the user and the command travel in the cluster document's
 * history, so the other node shows who made a change it did not see typed; a change made without a user (an
 * internal one) is not recorded.
 */
class DocumentHistoryClusterTest extends InMemoryCluster {

    @Test
    void whoChangedTheDocumentOnOneNodeShowsOnTheOther() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        var d = n1.node.change("alice", "vigil:group-add web", doc -> doc.next("node1", l -> {
            l.add(GroupDef.create("web").withResources(List.of(new ResourceDef("app", "fake", Map.of()))));
            return l;
        }));
        await().atMost(Duration.ofSeconds(10)).until(() -> n2.node.document().version() == d.version());
        List<Change> seen = n2.node.document().history();
        assertThat(seen).hasSize(1);
        Change c = seen.get(0);
        assertThat(c.version()).isEqualTo(d.version());
        assertThat(c.node()).isEqualTo("node1");
        assertThat(c.user()).isEqualTo("alice");
        assertThat(c.what()).isEqualTo("vigil:group-add web");
        assertThat(c.at()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));

        var d2 = n2.node.change("bob", "vigil:maintenance on", doc -> doc.nextWithMaintenance("node2", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.node.document().version() == d2.version());
        assertThat(n1.node.document().history()).extracting(Change::user, Change::node)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "node1"),
                        org.assertj.core.groups.Tuple.tuple("bob", "node2"));

        n1.node.change(doc -> doc.nextWithMaintenance("node1", false)); // no user: nothing recorded
        assertThat(n1.node.document().history()).hasSize(2);
    }
}
