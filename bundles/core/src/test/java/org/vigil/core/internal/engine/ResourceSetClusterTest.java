package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.ResourceState;

/**
 * vigil:resource-set on a running resource (issue 12): it keeps running as it was started, its status says the new
 * parameters apply at its next start, and when the group moves the old node stops it with the parameters it was
 * started with (an address agent must remove the old address, not look for the new one) while the new node starts it
 * with the new ones.
 */
class ResourceSetClusterTest extends InMemoryCluster {

    @Test
    void aRunningResourceKeepsItsParametersUntilItStopsAndItsStopUsesThem() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        n1.node.change(d -> d.next("node1", l -> {
            l.add(GroupDef.create("web").withResources(List.of(new ResourceDef("app", "fake", Map.of("note", "a"))))
                    .withPreferredNodes(List.of("node1", "node2")));
            return l;
        }));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> n1.runs("web"));

        n2.node.change("alice", "vigil:resource-set app note", doc -> doc.nextWithGroup("node2", "web",
                g -> g.withResources(List.of(new ResourceDef("app", "fake", Map.of("note", "b"))))));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            EngineStatus st = n1.node.engineStatus();
            EngineStatus.LocalLine line = st == null ? null : st.resources().get("app");
            return line != null && line.message().contains("parameters changed: they apply when it next starts");
        });
        Thread.sleep(1000); // ten monitor intervals: nothing is restarted by the change itself
        assertThat(world.runningOn).containsOnly(Map.entry("app", "node1"));
        assertThat(world.notes).containsExactly("node1 start app note=a");
        assertThat(n1.node.engineStatus().resources().get("app").state()).isEqualTo(ResourceState.RUNNING);

        n1.node.change(doc -> doc.nextWithGroup("node1", "web", g -> g.withRole(GroupDef.Role.STARTED, "node2")));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> n2.runs("web"));
        assertThat(world.notes).containsExactly("node1 start app note=a", "node1 stop app note=a", "node2 start app note=b");
        assertThat(world.violations).isEmpty();
    }
}
