package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * The shared set-up of the in-process cluster tests: real nodes over one in-memory medium and one world of
 * fake resources that records every double start; each test ends by closing its nodes and checking none.
 */
abstract class InMemoryCluster {

    @TempDir
    Path dir;

    final InMemoryNetwork net = new InMemoryNetwork();
    final World world = new World();
    final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodesAndCheckForDoubleStarts() {
        nodes.forEach(TestNode::close);
        assertThat(world.violations).as("double starts").isEmpty();
    }

    /** @param name the node's name @return a started node on the shared medium */
    TestNode start(String name) throws Exception {
        TestNode n = new TestNode(name, dir, net, world);
        nodes.add(n);
        return n;
    }

    /**
     * Defines group {@code web} (one fake resource, {@code app}) through {@code via}, preferring the nodes in the order
     * given, and waits until {@code runner} runs it.
     */
    void runWeb(TestNode via, TestNode runner, String... preferred) {
        via.node.change(d -> d.next(via.name, l -> {
            l.add(GroupDef.create("web").withResources(List.of(new ResourceDef("app", "fake", Map.of())))
                    .withPreferredNodes(List.of(preferred)));
            return l;
        }));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> runner.runs("web"));
    }
}
