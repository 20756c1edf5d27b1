package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.alert.AlertEvent;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.publicnet.Links;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * Two real cluster nodes in this JVM (as {@link InProcessClusterTest}) that watch their public network
 * ({@code public.interfaces = eth0}, {@code public.ping.targets = 198.51.100.1}, checked every 100 ms, lost
 * after 3 failed checks): each node's eth0 is a copy of the sysfs layout the real link reader reads, and its
 * ping answers while the test has its public cable plugged in. The heartbeat paths are never cut: only the
 * public side fails. The real-network proof is tests/system PublicNetworkIT.
 */
class PublicNetworkClusterTest {

    static final String TARGET = "198.51.100.1";

    @TempDir
    Path dir;

    private final InMemoryNetwork net = new InMemoryNetwork();
    private final World world = new World();
    private final List<TestNode> nodes = new ArrayList<>();
    private final Set<String> cablesIn = ConcurrentHashMap.newKeySet();

    @AfterEach
    void tearDown() {
        nodes.forEach(TestNode::close);
        assertThat(world.violations).as("double starts").isEmpty();
    }

    private TestNode start(String name) throws Exception {
        Path sys = dir.resolve("sys-" + name);
        cablesIn.add(name);
        writeLink(name, true);
        TestNode n = new TestNode(name, dir, net, world, Map.of("public.interfaces", "eth0", "public.ping.targets", TARGET,
                "public.interval.ms", 100L, "public.lost.after", 3, "public.ok.after", 2),
                c -> c.usePublicNetworkWatches(s -> new PublicNetworkWatch(s, new Links(sys)::read,
                        (a, budget) -> a.equals(TARGET) && cablesIn.contains(name))));
        nodes.add(n);
        return n;
    }

    private void writeLink(String node, boolean carrier) throws IOException {
        Path eth0 = dir.resolve("sys-" + node).resolve("eth0");
        Files.createDirectories(eth0);
        Files.writeString(eth0.resolve("flags"), "0x1003\n");
        Files.writeString(eth0.resolve("carrier"), carrier ? "1\n" : "0\n");
        Files.writeString(eth0.resolve("operstate"), carrier ? "up\n" : "down\n");
    }

    /** Pulls the node's public cable: no carrier on its eth0, its ping target silent. */
    private void pull(String node) throws IOException {
        cablesIn.remove(node);
        writeLink(node, false);
    }

    private void plug(String node) throws IOException {
        writeLink(node, true);
        cablesIn.add(node);
    }

    private static PublicNetwork seen(TestNode by, String node) {
        EngineStatus st = by.node.engineStatus();
        return st == null || st.snapshot().nodes().get(node) == null ? PublicNetwork.NOT_WATCHED
                : st.snapshot().nodes().get(node).report().publicNetwork();
    }

    private static void awaitSeen(TestNode by, String node, PublicNetwork.State state) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> seen(by, node).state() == state);
    }

    private static ClusterDocument withWeb(ClusterDocument d, String origin) {
        List<ResourceDef> rs = new ArrayList<>();
        for (String r : List.of("ip", "app", "root")) {
            rs.add(new ResourceDef(r, "fake", Map.of()));
        }
        return d.next(origin, l -> {
            l.add(GroupDef.create("web").withResources(rs).withPreferredNodes(List.of("node1", "node2")));
            return l;
        });
    }

    private void awaitRuns(TestNode n) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> n.runs("web"));
    }

    private static List<String> kinds(TestNode n) {
        return n.node.recentEvents().stream().map(AlertEvent::kind).filter(k -> k.startsWith("public-")).toList();
    }

    @Test
    void theStandbyLosingItsPublicNetworkMovesNothingTheActiveLosingItFailsOverAndNothingMovesBack() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        awaitSeen(n1, "node2", PublicNetwork.State.OK);
        awaitSeen(n2, "node1", PublicNetwork.State.OK);
        n2.node.change(d -> withWeb(d, "node2"));
        awaitRuns(n1);
        assertThat(world.log()).containsExactly("node1 start ip", "node1 start app", "node1 start root");

        // (1) the standby's public cable: nothing moves, node1 sees node2's public network lost
        pull("node2");
        awaitSeen(n1, "node2", PublicNetwork.State.LOST);
        assertThat(seen(n1, "node2").detail()).isEqualTo("eth0: no carrier");
        Thread.sleep(1000);
        assertThat(world.log()).as("nothing stopped or started").hasSize(3);
        assertThat(n1.runs("web")).isTrue();
        assertThat(kinds(n2)).containsExactly("public-lost");
        assertThat(kinds(n1)).isEmpty();

        // (2) plugged back
        plug("node2");
        awaitSeen(n1, "node2", PublicNetwork.State.OK);
        assertThat(kinds(n2)).containsExactly("public-lost", "public-ok");

        // (3) the active node's public cable: web fails over, stopped on node1 in reverse, then started on node2
        pull("node1");
        awaitRuns(n2);
        assertThat(world.log().subList(3, world.log().size())).containsExactly("node1 stop root", "node1 stop app",
                "node1 stop ip", "node2 start ip", "node2 start app", "node2 start root");
        assertThat(n2.node.engineStatus().decision().placements().get("web").reason())
                .isEqualTo("runs on node2");
        assertThat(kinds(n1)).containsExactly("public-lost");

        // (4) node1's public network comes back: eligible again, but failback is manual: nothing moves back
        plug("node1");
        awaitSeen(n2, "node1", PublicNetwork.State.OK);
        Thread.sleep(1000);
        assertThat(world.log()).hasSize(9);
        assertThat(n2.runs("web")).isTrue();
        assertThat(n1.node.engineStatus().decision().placements().get("web").reason()).isEqualTo("runs on node2 (sticky)");
    }

    @Test
    void aFlappingPingBelowTheThresholdAndBothNodesLosingTheirPublicNetworkMoveNothing() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        n2.node.change(d -> withWeb(d, "node2"));
        awaitRuns(n1);

        // two failed checks at most (100 ms interval, lost after 3): never lost
        for (int i = 0; i < 5; i++) {
            cablesIn.remove("node1");
            Thread.sleep(150);
            cablesIn.add("node1");
            Thread.sleep(250);
        }
        assertThat(kinds(n1)).as("node1's public network alerts while its ping flapped").isEmpty();

        pull("node2");
        pull("node1");
        awaitSeen(n2, "node1", PublicNetwork.State.LOST);
        awaitSeen(n1, "node2", PublicNetwork.State.LOST);
        awaitSeen(n1, "node1", PublicNetwork.State.LOST);
        Thread.sleep(1000);
        assertThat(world.log()).as("a switch cannot help: nothing moves").hasSize(3);
        assertThat(n1.runs("web")).isTrue();
        assertThat(n1.node.engineStatus().decision().placements().get("web").reason())
                .startsWith("runs on node1; its public network is lost (eth0: no carrier)");

        // node2 gets its own back first: now web fails over to it
        plug("node2");
        awaitRuns(n2);
        assertThat(world.log().subList(3, world.log().size())).containsExactly("node1 stop root", "node1 stop app",
                "node1 stop ip", "node2 start ip", "node2 start app", "node2 start root");
    }

    @Test
    void aSwitchFailureThatTheNodesNoticeASecondApartMovesNothing() throws Exception {
        TestNode n1 = start("node1");
        TestNode n2 = start("node2");
        n2.node.change(d -> withWeb(d, "node2"));
        awaitRuns(n1);
        pull("node1");
        awaitSeen(n1, "node1", PublicNetwork.State.LOST);
        Thread.sleep(700); // node1's loss is seen, its 2.2 s dampening is not over: node2 notices its own a second later
        pull("node2");
        awaitSeen(n1, "node2", PublicNetwork.State.LOST);
        Thread.sleep(3000);
        assertThat(world.log()).as("both lost it: nothing moves").hasSize(3);
        assertThat(n1.runs("web")).isTrue();
    }

    @Test
    void aBadPublicNetworkSettingMakesTheNodeRunNothingAndNamesTheKey() throws Exception {
        TestNode n1 = new TestNode("node1", dir, net, world, Map.of("public.interfaces", "eth0",
                "public.ping.targets", "gateway.example.com"), c -> { });
        nodes.add(n1);
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.node.engineStatus() != null);
        assertThat(n1.node.engineStatus().notReadyReason()).isEqualTo("invalid public network settings in "
                + "etc/org.vigil.node.cfg: public.ping.targets: 'gateway.example.com' is not a literal IP address; until "
                + "fixed this node runs nothing");
        n1.node.change(d -> withWeb(d, "node1"));
        Thread.sleep(1500);
        assertThat(world.log()).as("nothing started").isEmpty();
    }
}
