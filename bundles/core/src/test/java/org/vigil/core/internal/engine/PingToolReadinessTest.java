package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
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
 * A real cluster node in this JVM whose ping cannot run (its ping program is a file without the execute bit, as a
 * node without iputils-ping on its PATH): when its settings need ping (the ping tie-breaker, public ping targets)
 * it is NOT READY naming ping and its package, at start-up and on reconfiguration, and starts nothing; it never
 * reads as a lost tie-breaker vote (issue 11).
 */
class PingToolReadinessTest {

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

    private Path brokenPing() throws Exception {
        return Files.writeString(dir.resolve("ping"), "#!/bin/sh\nexit 0\n"); // mode 0644: cannot be executed
    }

    private TestNode start(Map<String, Object> settings) throws Exception {
        Path ping = brokenPing();
        return new TestNode("node1", dir, net, world, settings, n -> n.usePingCommand(List.of(ping.toString())));
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

    @Test
    void aNodeWithThePingTieBreakerAndNoUsablePingIsNotReadyNamingPingAndStartsNothing() throws Exception {
        node = start(Map.of("cluster.nodes", "node1", "quorum.tiebreaker", "ping", "quorum.ping.targets", "203.0.113.1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("ping cannot be started", dir.resolve("ping").toString(),
                "install the package iputils-ping", "this node runs nothing");
        addGroup("web");
        Thread.sleep(3000); // well past the start-up wait (dead time 2000 ms here + 2 intervals)
        assertThat(world.log()).isEmpty();
        assertThat(node.runs("web")).isFalse();
    }

    @Test
    void configuringPublicPingTargetsOnARunningNodeWithoutAUsablePingMakesItNotReady() throws Exception {
        node = start(Map.of());
        addGroup("web");
        await().atMost(Duration.ofSeconds(10)).until(() -> node.runs("web"));
        assertThat(notReady()).isNull();

        Map<String, Object> s = Map.of("public.ping.targets", "198.51.100.1");
        node.node.modified(TestNode.config("node1", dir.resolve("cluster.key"), dir.resolve("node1"), s));
        await().atMost(Duration.ofSeconds(5)).until(() -> notReady() != null);
        assertThat(notReady()).contains("ping cannot be started", "iputils-ping");
        addGroup("db");
        Thread.sleep(2000);
        assertThat(node.runs("db")).as("nothing new starts").isFalse();

        Map<String, Object> none = Map.of();
        node.node.modified(TestNode.config("node1", dir.resolve("cluster.key"), dir.resolve("node1"), none));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.runs("db"));
        assertThat(notReady()).isNull();
    }
}
