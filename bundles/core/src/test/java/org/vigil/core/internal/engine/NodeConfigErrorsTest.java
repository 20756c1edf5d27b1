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
 * A bad value in etc/org.vigil.node.cfg, at start and on a running node (the whole core in this JVM; the proof with a
 * real Karaf node is the system test LocalConfigIT): the node says which key and value, starts nothing new until
 * fixed, and keeps what runs. Also quorum on by default (issue 11): a node with a heartbeat path and no members in
 * {@code cluster.nodes} runs nothing and says what to write, until the members are listed or {@code quorum = off}.
 */
class NodeConfigErrorsTest {

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

    private void reconfigure(Map<String, Object> settings) {
        node.node.modified(TestNode.config("node1", dir.resolve("cluster.key"), dir.resolve("node1"), settings));
    }

    @Test
    void aBadValueAtStartNamesTheKeyAndTheNodeStartsNothing() throws Exception {
        node = new TestNode("node1", dir, net, world, Map.of("dead.time.ms", "abc"), n -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("dead.time.ms = 'abc' is not a whole number").contains("etc/org.vigil.node.cfg");
        addGroup("web");
        Thread.sleep(3000); // well past the start-up wait (dead time 600 ms by default + 2 intervals)
        assertThat(world.log()).isEmpty();
        assertThat(node.runs("web")).isFalse();
    }

    @Test
    void aBadValueOnARunningNodeKeepsWhatRunsStartsNothingNewAndClearsWhenFixed() throws Exception {
        node = new TestNode("node1", dir, net, world);
        addGroup("web");
        await().atMost(Duration.ofSeconds(10)).until(() -> node.runs("web"));

        reconfigure(Map.of("dead.time.ms", "abc"));
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("dead.time.ms = 'abc'").contains("the last good value 2000 is used meanwhile");
        assertThat(node.node.peers()).isEmpty(); // still one node, heartbeating on its own
        addGroup("db");
        Thread.sleep(2000);
        assertThat(node.runs("web")).as("what runs keeps running").isTrue();
        assertThat(node.runs("db")).as("nothing new starts").isFalse();
        assertThat(world.log()).containsExactly("node1 start web-app");

        reconfigure(Map.of("dead.time.ms", 3000L));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.runs("db"));
        assertThat(notReady()).isNull();
    }

    @Test
    void timingThatCannotWorkIsNamedToo() throws Exception {
        node = new TestNode("node1", dir, net, world);
        reconfigure(Map.of("heartbeat.interval.ms", 1000L, "dead.time.ms", 1500L));
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("heartbeat.interval.ms = 1000 and dead.time.ms = 1500");
    }

    // Safe by default (issue 11): quorum on unless written off, and then it needs the members.

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
