package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * Real nodes in one JVM over a medium with small frames (as a serial or disk path has): heartbeats keep
 * fitting whatever the groups report, a document larger than a frame crosses in pieces, a node that cannot get
 * the current document says so, and a restart in place is never held back by a peer's document version.
 */
class FrameBudgetClusterTest extends InMemoryCluster {

    private static GroupDef group(String name, String resource, String note) {
        return GroupDef.create(name).withResources(List.of(new ResourceDef(resource, "fake", Map.of("note", note))))
                .withPreferredNodes(List.of("node1", "node2")).withRestarts(1, 60_000);
    }

    private static ClusterDocument with(ClusterDocument d, GroupDef g) {
        return d.next("node1", l -> {
            l.add(g);
            return l;
        });
    }

    private static void awaitRuns(TestNode n, String group) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> n.runs(group));
    }

    private static Membership seen(TestNode by, String peer) {
        var p = by.node.peers().get(peer);
        return p == null ? Membership.UNKNOWN : p.membership();
    }

    @Test
    void aCommandOf3000CharactersReachesThePeerOverSmallFramesAndARestartInPlaceWorks() throws Exception {
        net.maxFrame = 1200;
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        n1.node.change(d -> with(d, group("web", "app", "exec /usr/bin/app " + "x".repeat(3000))));
        assertThat(n1.node.document().toJson().length()).as("the document is larger than a frame").isGreaterThan(3000);
        await().atMost(Duration.ofSeconds(10)).until(() -> n2.node.document().equals(n1.node.document()));
        awaitRuns(n1, "web");

        world.log.clear();
        world.crashResource("app");
        await().atMost(Duration.ofSeconds(10)).until(() -> world.log().contains("node1 start app"));
        awaitRuns(n1, "web");
        assertThat(world.log()).containsExactly("node1 stop app", "node1 start app");
        assertThat(n2.node.documentLag()).isEmpty();
        assertThat(n2.node.paths().get("lan").counters().sendErrors.get()).as("send errors on node2").isZero();
        assertThat(n1.node.paths().get("lan").counters().sendErrors.get()).as("send errors on node1").isZero();
    }

    @Test
    void aNodeThatRefusesAVersionJumpRaisesACriticalAlertAndARestartInPlaceIsNotHeldBack() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        n1.node.change(d -> with(d, group("web", "app", "")));
        await().atMost(Duration.ofSeconds(10)).until(() -> n2.node.document().equals(n1.node.document()));
        awaitRuns(n1, "web");
        long before = n2.node.document().version();

        n1.node.change(d -> new ClusterDocument(d.version() + DocumentStore.MAX_STEP + 5, "node1", d.maintenance(), d.groups()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !n2.node.documentLag().isEmpty());
        assertThat(n2.node.document().version()).as("node2 refused the jump").isEqualTo(before);
        assertThat(n2.node.documentLag()).contains("cannot get the current cluster document").contains("node1 has version "
                + n1.node.document().version()).contains("this node " + before);
        assertThat(n2.node.recentEvents()).anySatisfy(e -> {
            assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(e.kind()).isEqualTo("document-behind");
        });

        world.log.clear();
        world.crashResource("app");
        await().atMost(Duration.ofSeconds(10)).until(() -> world.log().contains("node1 start app"));
        awaitRuns(n1, "web");
        assertThat(world.log()).containsExactly("node1 stop app", "node1 start app");
    }

    @Test
    void groupsBannedWithHugeNotesKeepTheirNodeOnlineOnSmallFrames() throws Exception {
        net.maxFrame = 600;
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        StringBuilder output = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            output.append((char) (1 + i % 31));
        }
        for (int i = 1; i <= 3; i++) {
            world.startFails.put("node1/app" + i, "exited during start with status 1; last output: " + output);
        }
        for (int i = 1; i <= 3; i++) {
            GroupDef g = group("noisy" + i, "app" + i, "").withRestarts(0, 60_000);
            n1.node.change(d -> with(d, g));
        }
        for (int i = 1; i <= 3; i++) {
            awaitRuns(n2, "noisy" + i);
        }
        long end = System.nanoTime() + Duration.ofSeconds(4).toNanos(); // two dead times
        while (System.nanoTime() < end) {
            assertThat(seen(n2, "node1")).as("node1 as node2 sees it").isEqualTo(Membership.ONLINE);
            assertThat(seen(n1, "node2")).as("node2 as node1 sees it").isEqualTo(Membership.ONLINE);
            Thread.sleep(50);
        }
        var report = n2.node.engineStatus().snapshot().nodes().get("node1").report();
        for (int i = 1; i <= 3; i++) {
            assertThat(report.group("noisy" + i).banned()).as("node2 knows noisy%d is banned on node1", i).isTrue();
        }
        assertThat(n1.node.paths().get("lan").counters().sendErrors.get()).as("send errors on node1").isZero();
    }
}
