package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

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
}
