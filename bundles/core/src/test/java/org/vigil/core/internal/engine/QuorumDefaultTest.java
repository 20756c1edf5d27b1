package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * Safe by default (issue 11): a real cluster node in this JVM with a heartbeat path, quorum left at its default (on)
 * and no members in {@code cluster.nodes} runs nothing and says what to write; listing the members, or
 * {@code quorum = off} in so many words, lets it run; a value that is neither on nor off is named.
 */
class QuorumDefaultTest {

    @TempDir
    Path dir;

    private final InMemoryNetwork net = new InMemoryNetwork();
    private final World world = new World();
    private TestNode node;

    @AfterEach
    void tearDown() {
        if (node != null) {
            node.close();
        }
        assertThat(world.violations).as("double starts").isEmpty();
    }

    private void addGroup(String name) {
        node.node.change(d -> d.next("node1", l -> {
            l.add(GroupDef.create(name).withResources(List.of(new ResourceDef(name + "-app", "fake", Map.of())))
                    .withPreferredNodes(List.of("node1")));
            return l;
        }));
    }

    private String notReady() {
        EngineStatus st = node.node.engineStatus();
        return st == null ? null : st.notReadyReason();
    }

    private void reconfigure(Map<String, Object> s) {
        node.node.modified(TestNode.config("node1", dir.resolve("cluster.key"), dir.resolve("node1"), s), s);
    }

    @Test
    void quorumOnByDefaultWithoutMembersRunsNothingUntilTheMembersAreListed() throws Exception {
        Map<String, Object> defaults = Map.of("quorum", "on"); // what an untouched etc/org.vigil.node.cfg gives
        node = new TestNode("node1", dir, net, world, defaults, n -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("quorum is on (the default) but cluster.nodes is empty", "quorum = off",
                "this node runs nothing");
        addGroup("web");
        Thread.sleep(3000); // well past the start-up wait (dead time 2000 ms here + 2 intervals)
        assertThat(world.log()).as("nothing started").isEmpty();

        Map<String, Object> members = Map.of("cluster.nodes", "node1");
        reconfigure(members);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.runs("web"));
        assertThat(notReady()).isNull();
    }

    @Test
    void quorumOffInSoManyWordsRunsWithoutMembers() throws Exception {
        node = new TestNode("node1", dir, net, world, Map.of("quorum", "off"), n -> { });
        addGroup("web");
        await().atMost(Duration.ofSeconds(10)).until(() -> node.runs("web"));
        assertThat(notReady()).isNull();
    }

    @Test
    void aQuorumValueThatIsNeitherOnNorOffIsNamedAndNothingRuns() throws Exception {
        node = new TestNode("node1", dir, net, world, Map.of("quorum", "offf"), n -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("quorum = 'offf' must be on or off");
        addGroup("web");
        Thread.sleep(3000);
        assertThat(world.log()).isEmpty();
    }
}
