package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceAgentDescription;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationContext;
import org.vigil.core.internal.ClusterNode;
import org.vigil.core.internal.FenceConfiguration;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * Quorum, tie-breakers, self-fencing, the pause rule and fencing with real cluster nodes in one JVM over
 * the in-memory medium (dead time 2 s). The world fails the test on any double start.
 */
class SplitBrainClusterTest {

    @TempDir
    Path dir;

    private final InMemoryNetwork net = new InMemoryNetwork();
    private final World world = new World();
    private final List<TestNode> nodes = new ArrayList<>();
    private final List<String> fenceCalls = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void tearDown() {
        nodes.forEach(TestNode::close);
        assertThat(world.violations).as("double starts").isEmpty();
    }

    private TestNode start(String name, Map<String, Object> settings, Consumer<ClusterNode> setup) throws Exception {
        TestNode n = new TestNode(name, dir, net, world, settings, setup);
        nodes.add(n);
        return n;
    }

    private static ClusterDocument withGroup(ClusterDocument d, String origin, GroupDef g) {
        return d.next(origin, l -> {
            l.add(g);
            return l;
        });
    }

    private static GroupDef web(String... resources) {
        List<ResourceDef> rs = new ArrayList<>();
        for (String r : resources) {
            rs.add(new ResourceDef(r, "fake", Map.of()));
        }
        return GroupDef.create("web").withResources(rs).withPreferredNodes(List.of("node1", "node2"));
    }

    private static void awaitRuns(TestNode n, String group, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(20)).until(() -> n.runs(group));
    }

    /** A tie-breaker that gives every tie to the side holding the given node (a quorum disk's lock holder). */
    private static TieBreaker favouring(String winner) {
        return new TieBreaker() {
            @Override
            public String type() {
                return "test";
            }

            @Override
            public boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op) {
                return side.contains(winner);
            }
        };
    }

    /** A fence agent acting on the test's world: NODE_OFF powers the node off there and cuts its cables. */
    private FenceAgent agent(AtomicReference<FenceResult.Outcome> outcome) {
        return new FenceAgent() {
            @Override
            public FenceAgentDescription describe() {
                return new FenceAgentDescription("test", "powers nodes off in the test's world", List.of(), Duration.ofSeconds(5));
            }

            @Override
            public List<String> validate(Map<String, String> parameters) {
                return List.of();
            }

            @Override
            public FenceResult fence(String node, FenceAction action, Map<String, String> parameters, OperationContext op) {
                fenceCalls.add(node + " " + action);
                if (outcome.get() == FenceResult.Outcome.NODE_OFF) {
                    net.cut(node);
                    world.powerOff(node);
                }
                return new FenceResult(outcome.get(), "test device");
            }
        };
    }

    private static FenceConfiguration device(String fences) {
        return new FenceConfiguration(Map.of("type", "test", "nodes", fences, "service.pid", "org.vigil.fence.t-" + fences));
    }

    private static int indexOf(List<String> log, String entry) {
        int i = log.indexOf(entry);
        assertThat(i).as("%s in %s", entry, log).isGreaterThanOrEqualTo(0);
        return i;
    }

    @Test
    void aFullPartitionLeavesExactlyOneSideRunningTheGroupTheLoserStopsBeforeTheWinnerStarts() throws Exception {
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2", "quorum.tiebreaker", "test",
                "quorum.loss.stop.ms", 3000L);
        TestNode n1 = start("node1", q, n -> n.addTieBreaker(favouring("node2")));
        TestNode n2 = start("node2", q, n -> n.addTieBreaker(favouring("node2")));
        n1.node.change(d -> withGroup(d, "node1", web("ip", "app")));
        awaitRuns(n1, "web", 10);
        assertThat(n1.node.engineStatus().snapshot().quorum().detail()).contains("2 of 2 votes");
        world.log.clear();

        net.cut("node1");
        net.cut("node2"); // every path between them is gone; both machines live on
        awaitRuns(n2, "web", 20);
        List<String> log = world.log();
        assertThat(indexOf(log, "node1 stop ip")).as("the loser stopped before the winner started: %s", log)
                .isLessThan(indexOf(log, "node2 start ip"));
        assertThat(n1.runs("web")).isFalse();
        assertThat(n1.node.engineStatus().snapshot().quorum().has()).isFalse();
        assertThat(n1.node.engineStatus().decision().placements().get("web").reason()).contains("no quorum on node1");
        assertThat(n2.node.engineStatus().snapshot().quorum().detail()).contains("tie-breaker chose this side");
        assertThat(world.fencedAtStart.get("node2/ip")).as("a node down by the self-fencing bound is not fenced").isEmpty();
        assertThat(world.stopProofsAtStart.get("node2/ip")).as("but agents learn that it stopped: its bound passed")
                .containsExactly("node1 SELF_FENCE_BOUND_PASSED");

        net.heal("node1");
        net.heal("node2");
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.node.engineStatus().snapshot().quorum().has());
        Thread.sleep(1000);
        assertThat(n2.runs("web")).as("sticky after the heal").isTrue();
        assertThat(n1.state("ip")).isEqualTo(org.vigil.core.internal.policy.ResourceState.STOPPED);
    }

    @Test
    void aNodePausedLongerThanTheDeadTimeStopsItsCopyOnWakingAndTheOtherTakesOverOnlyAfterThat() throws Exception {
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2", "quorum.tiebreaker", "test",
                "quorum.loss.stop.ms", 4000L);
        TestNode n1 = start("node1", q, n -> n.addTieBreaker(favouring("node2")));
        TestNode n2 = start("node2", q, n -> n.addTieBreaker(favouring("node2")));
        n1.node.change(d -> withGroup(d, "node1", web("ip", "app")));
        awaitRuns(n1, "web", 10);
        world.log.clear();

        // Freeze node1 for 3.5 s (longer than the 2 s dead time, shorter than dead time + bound), as SIGSTOP
        // would: its engine thread sleeps and nothing leaves it; its resources keep running in the world.
        net.freeze("node1");
        EngineAccess.engine(n1.node).submit(() -> {
            try {
                Thread.sleep(3500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            net.thaw("node1");
        });
        awaitRuns(n2, "web", 20);
        List<String> log = world.log();
        assertThat(indexOf(log, "node1 stop ip")).as("node1 stopped its copy before node2 started: %s", log)
                .isLessThan(indexOf(log, "node2 start ip"));
        assertThat(n1.node.recentEvents()).anyMatch(e -> e.message().contains("was paused for"));
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.node.engineStatus().snapshot().quorum().has());
        assertThat(n2.runs("web")).isTrue();
        assertThat(n1.runs("web")).isFalse();
    }

    @Test
    void withoutATieBreakerTheSideThatFencesTheOtherKeepsQuorumAndMovesTheGroupAtOnce() throws Exception {
        AtomicReference<FenceResult.Outcome> outcome = new AtomicReference<>(FenceResult.Outcome.NODE_OFF);
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2", "quorum.loss.stop.ms", 30_000L);
        TestNode n1 = start("node1", q, n -> { });
        TestNode n2 = start("node2", q, n -> {
            n.addFenceAgent(agent(outcome));
            n.addFenceDevice(device("node1"));
        });
        n1.node.change(d -> withGroup(d, "node1", web("ip", "app")));
        awaitRuns(n1, "web", 10);
        world.log.clear();

        long t0 = System.nanoTime();
        net.cut("node1");
        awaitRuns(n2, "web", 15);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(fenceCalls).containsExactly("node1 OFF");
        assertThat(ms).as("moved after fencing, long before the 30 s self-fencing bound (%d ms)", ms).isLessThan(15_000);
        assertThat(n2.node.engineStatus().snapshot().quorum().detail()).contains("1 of 1 votes");
        assertThat(n2.node.engineStatus().snapshot().nodes().get("node1").loss().proof()).startsWith("fenced");
        assertThat(world.fencedAtStart.get("node2/ip")).as("agents on node2 learn that node1 was fenced")
                .containsExactly("node1");
        assertThat(world.stopProofsAtStart.get("node2/ip")).containsExactly("node1 FENCED");
    }

    @Test
    void aFailedFenceKeepsTheGroupWaitingAndRetriesUntilTheAdminConfirmsTheNodeDown() throws Exception {
        AtomicReference<FenceResult.Outcome> outcome = new AtomicReference<>(FenceResult.Outcome.FAILED);
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2", "quorum.tiebreaker", "test",
                "quorum.loss.stop.ms", 1000L);
        TestNode n1 = start("node1", q, n -> n.addTieBreaker(favouring("node2")));
        TestNode n2 = start("node2", q, n -> {
            n.addTieBreaker(favouring("node2"));
            n.addFenceAgent(agent(outcome));
            n.addFenceDevice(device("node1"));
        });
        n1.node.change(d -> withGroup(d, "node1", web("ip", "app")));
        awaitRuns(n1, "web", 10);
        world.log.clear();

        net.cut("node1");
        await().atMost(Duration.ofSeconds(20)).until(() -> fenceCalls.size() >= 2);
        assertThat(n2.runs("web")).as("a failed fence never counts as down, whatever the bound").isFalse();
        assertThat(world.log()).doesNotContain("node2 start ip");
        assertThat(n2.node.engineStatus().decision().placements().get("web").reason()).contains("waiting for node1 to be fenced");

        assertThat(n2.node.confirmDown("node1")).contains("taken as down");
        awaitRuns(n2, "web", 10);
        assertThat(n2.node.engineStatus().snapshot().nodes().get("node1").loss().proof()).isEqualTo("confirmed down by the admin");
        assertThat(world.fencedAtStart.get("node2/ip")).as("the admin's confirmation counts as fenced for agents")
                .containsExactly("node1");
        assertThat(world.stopProofsAtStart.get("node2/ip")).containsExactly("node1 CONFIRMED");
    }

    @Test
    void theAdminCannotConfirmAnOnlineNodeDown() throws Exception {
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2");
        start("node1", q, n -> { });
        TestNode n2 = start("node2", q, n -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> n2.node.peers().containsKey("node1")
                && n2.node.peers().get("node1").membership().isUp());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> n2.node.confirmDown("node1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is online");
    }

    @Test
    void aCleanLeaveAndARejoinNeverCostTheOtherNodeQuorum() throws Exception {
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2");
        TestNode n1 = start("node1", q, n -> { });
        TestNode n2 = start("node2", q, n -> { });
        n1.node.change(d -> withGroup(d, "node1", web("ip", "app")));
        awaitRuns(n1, "web", 10);
        await().atMost(Duration.ofSeconds(5)).until(() -> n2.node.document().version() == n1.node.document().version());
        world.log.clear();
        n2.close(); // announces that it leaves: its vote leaves the total, node1 keeps quorum alone
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.node.engineStatus().snapshot().quorum().detail().contains("1 of 1"));
        assertThat(n1.node.engineStatus().snapshot().quorum().has()).isTrue();
        TestNode again = start("node2", q, n -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.node.engineStatus().snapshot().quorum().detail().contains("2 of 2")
                && again.node.engineStatus() != null && again.node.engineStatus().snapshot().quorum().has());
        Thread.sleep(500);
        assertThat(world.log()).as("node1 never stopped anything").isEmpty();
        assertThat(n1.runs("web")).isTrue();
    }

    @Test
    void aStallOfTheEngineThreadAloneWhileHeartbeatsGoOutIsNoPause() throws Exception {
        Map<String, Object> q = Map.of("cluster.nodes", "node1, node2", "quorum.tiebreaker", "test",
                "quorum.loss.stop.ms", 4000L);
        TestNode n1 = start("node1", q, n -> n.addTieBreaker(favouring("node2")));
        TestNode n2 = start("node2", q, n -> n.addTieBreaker(favouring("node2")));
        n1.node.change(d -> withGroup(d, "node1", web("ip", "app")));
        awaitRuns(n1, "web", 10);
        world.log.clear();
        EngineAccess.engine(n1.node).submit(() -> {
            try {
                Thread.sleep(3000); // the engine stalls; the heartbeat sender goes on, so node2 never loses node1
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(4500);
        assertThat(world.log()).as("nothing stopped, nothing moved").isEmpty();
        assertThat(n1.runs("web")).isTrue();
        assertThat(n1.node.recentEvents()).noneMatch(e -> e.message().contains("was paused for"));
    }
}
