package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.engine.EngineStatus;

/** A node wired from plain objects, as {@link ClusterNode} wires it on activation, without OSGi. */
class LocalNodeTest {

    @TempDir
    Path dir;

    private static ResourceType type(String name) {
        return new ResourceType() {
            @Override
            public ResourceTypeDescription describe() {
                return new ResourceTypeDescription(name, "a type that is only described",
                        List.of(ParameterDescription.optional("note", "free text", "")), Duration.ofSeconds(2),
                        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(100));
            }

            @Override
            public OperationResult validate(Map<String, String> parameters) {
                return OperationResult.ok();
            }

            @Override
            public ResourceHandler createHandler(ResourceContext context) {
                throw new UnsupportedOperationException("this test runs no resource");
            }
        };
    }

    @Test
    void pluginsBoundBeforeAndAfterTheStartReachTheNodeAndAMissingKeyIsNamed() throws Exception {
        Path key = dir.resolve("missing.key");
        Map<String, Object> props = Map.of("node.name", "node7", "state.dir", dir.resolve("state").toString(),
                "cluster.key.file", key.toString(), "quorum", "off", "dead.time.ms", "2000");
        NodePlugins plugins = new NodePlugins();
        ResourceType early = type("early");
        plugins.types.bind(early);
        LocalNode node = new LocalNode(NodeSettings.parse(props), plugins);
        try {
            ClusterService s = node.facade();
            assertThat(s.nodeName()).isEqualTo("node7");
            assertThat(Files.readString(dir.resolve("state/incarnation")).trim()).isEqualTo(Long.toString(s.incarnation()));
            assertThat(s.resourceTypes()).containsOnlyKeys("early");

            plugins.types.bind(type("late"));
            assertThat(s.resourceTypes()).containsOnlyKeys("early", "late");
            plugins.types.unbind(early);
            assertThat(s.resourceTypes()).containsOnlyKeys("late");

            await().atMost(Duration.ofSeconds(10)).until(() -> notReady(s) != null);
            assertThat(notReady(s)).contains("no usable cluster key", key.toString(), "bin/vigil-keygen",
                    "this node runs nothing");
            assertThat(s.paths()).as("no key: no heartbeat path opens").isEmpty();
        } finally {
            node.stop();
        }
        plugins.types.bind(type("after-stop"));
        assertThat(node.facade().resourceTypes()).as("a stopped node is handed nothing").containsOnlyKeys("late");
    }

    @Test
    void aChangedSettingIsAppliedAndABadOneKeepsTheLastGoodValue() throws Exception {
        Path key = dir.resolve("cluster.key");
        Files.writeString(key, java.util.Base64.getEncoder().encodeToString(new byte[32]));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Map<String, Object> props = Map.of("node.name", "node7", "state.dir", dir.resolve("state").toString(),
                "cluster.key.file", key.toString(), "quorum", "off", "dead.time.ms", "2000");
        LocalNode node = new LocalNode(NodeSettings.parse(props), new NodePlugins());
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.facade().engineStatus() != null);
            assertThat(notReady(node.facade())).isNull();

            Map<String, Object> changed = new java.util.HashMap<>(props);
            changed.put("dead.time.ms", "3000");
            node.reconfigure(NodeSettings.parse(changed, node.settings()));
            assertThat(node.settings().deadTimeMs()).isEqualTo(3000);

            changed.put("dead.time.ms", "3 s");
            node.reconfigure(NodeSettings.parse(changed, node.settings()));
            assertThat(node.settings().deadTimeMs()).isEqualTo(3000);
            await().atMost(Duration.ofSeconds(10)).until(() -> notReady(node.facade()) != null);
            assertThat(notReady(node.facade())).contains("dead.time.ms = '3 s'", "the last good value 3000");
        } finally {
            node.stop();
        }
    }

    private static String notReady(ClusterService s) {
        EngineStatus st = s.engineStatus();
        return st == null ? null : st.notReadyReason();
    }
}
