package org.vigil.core.internal.engine;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.vigil.api.resource.ResourceType;
import org.vigil.core.internal.ClusterNode;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.ResourceState;

/** One real {@link ClusterNode} in this JVM, wired to an in-memory network and the test's world. */
final class TestNode implements AutoCloseable {

    static final String KEY = Base64.getEncoder().encodeToString("in-process-test-cluster-key-0001".getBytes());

    final String name;
    final ClusterNode node = new ClusterNode();
    final ResourceType type;
    /** The transport factory this node's path uses (remove it to stop the node's transport bundle). */
    final org.vigil.api.heartbeat.HeartbeatTransportFactory transport;
    private boolean active;

    TestNode(String name, Path dir, InMemoryNetwork net, World world) throws Exception {
        this(name, dir, net, world, Map.of(), n -> { });
    }

    /** @param settings node configuration keys as in etc/org.vigil.node.cfg (cluster.nodes, ...) over the defaults */
    TestNode(String name, Path dir, InMemoryNetwork net, World world, Map<String, Object> settings,
            java.util.function.Consumer<ClusterNode> setup) throws Exception {
        this.name = name;
        Path state = dir.resolve(name);
        Files.createDirectories(state);
        Path key = dir.resolve("cluster.key");
        if (!Files.exists(key)) {
            Files.writeString(key, KEY);
            Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        ClusterNode.Config cfg = config(name, key, state, settings);
        type = world.type();
        node.addResourceType(type);
        transport = net.factory();
        node.addTransport(transport);
        node.addPath(new PathConfiguration(Map.of("name", "lan", "type", "mem", "service.pid", "org.vigil.path." + name)));
        setup.accept(node); // tie-breakers, fence agents and devices, as DS would bind them before activation
        node.activate(cfg, settings);
        active = true;
    }

    /**
     * The node configuration as Declarative Services passes it: a key of {@code settings} over the defaults; a value
     * of the wrong type (a String for a number) throws when read, as SCR's does.
     */
    static ClusterNode.Config config(String name, Path key, Path state, Map<String, Object> settings) {
        return (ClusterNode.Config) Proxy.newProxyInstance(ClusterNode.Config.class.getClassLoader(),
                new Class<?>[] {ClusterNode.Config.class}, (p, m, a) -> switch (m.getName()) {
                    case "node_name" -> name;
                    case "cluster_key_file" -> key.toString();
                    case "heartbeat_interval_ms" -> settings.getOrDefault("heartbeat.interval.ms", 100L);
                    // generous: these tests are about logic, not timing, and must not see a stalled JVM as a dead node
                    case "dead_time_ms" -> settings.getOrDefault("dead.time.ms", 2000L);
                    case "state_dir" -> state.toString();
                    // most of these tests are about one rule and predate quorum on by default: off unless they list members
                    case "quorum" -> settings.getOrDefault("quorum", settings.containsKey("cluster.nodes") ? "on" : "off");
                    case "annotationType" -> ClusterNode.Config.class;
                    case "hashCode" -> 1;
                    case "equals" -> p == a[0];
                    default -> settings.containsKey(m.getName().replace('_', '.')) ? settings.get(m.getName().replace('_', '.'))
                            : m.getDefaultValue() != null ? m.getDefaultValue() : m.getName();
                });
    }

    /** @return true when this node reports every resource of the group RUNNING and nothing else holds it */
    boolean runs(String group) {
        EngineStatus st = node.engineStatus();
        if (st == null) {
            return false;
        }
        var g = node.document().group(group).orElse(null);
        if (g == null || g.resources().isEmpty()) {
            return false;
        }
        NodeView me = st.snapshot().nodes().get(name);
        return g.resources().stream().allMatch(r -> me.report().group(group).resources().get(r.name()) == ResourceState.RUNNING);
    }

    ResourceState state(String resource) {
        EngineStatus st = node.engineStatus();
        EngineStatus.LocalLine l = st == null ? null : st.resources().get(resource);
        return l == null ? null : l.state();
    }

    @Override
    public void close() {
        if (active) {
            active = false;
            node.deactivate();
        }
    }

}
