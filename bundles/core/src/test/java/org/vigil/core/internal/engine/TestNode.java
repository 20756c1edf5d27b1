package org.vigil.core.internal.engine;

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
        Map<String, Object> cfg = config(name, key, state, settings);
        type = world.type();
        node.addResourceType(type);
        transport = net.factory();
        node.addTransport(transport);
        node.addPath(new PathConfiguration(Map.of("name", "lan", "type", "mem", "service.pid", "org.vigil.path." + name)));
        setup.accept(node); // tie-breakers, fence agents and devices, as DS would bind them before activation
        node.activate(cfg);
        active = true;
    }

    /**
     * The node configuration as Declarative Services passes it, raw: a key of {@code settings} over the test's
     * defaults (name, key file, state directory; a generous dead time; quorum off unless the members are listed).
     */
    static Map<String, Object> config(String name, Path key, Path state, Map<String, Object> settings) {
        Map<String, Object> props = new java.util.HashMap<>(settings);
        props.put("node.name", name);
        props.put("cluster.key.file", key.toString());
        props.put("state.dir", state.toString());
        // generous: these tests are about logic, not timing, and must not see a stalled JVM as a dead node
        props.putIfAbsent("dead.time.ms", 2000L);
        // most of these tests are about one rule and predate quorum on by default: off unless they list members
        props.putIfAbsent("quorum", settings.containsKey("cluster.nodes") ? "on" : "off");
        return props;
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
