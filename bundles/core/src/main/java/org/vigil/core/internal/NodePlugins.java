package org.vigil.core.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.ResourceType;
import org.vigil.core.internal.alert.AlertFilter;
import org.vigil.core.internal.engine.Fencing;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * What a node is given from outside before and while it runs: the plug-in services bound so far, the fence devices
 * and agents, and the ping program and public network probe it uses (tests put their own in).
 */
final class NodePlugins {

    private static final Logger LOG = LoggerFactory.getLogger(NodePlugins.class);

    /** An alert sink and what it receives. */
    record Sink(AlertSink sink, AlertFilter filter) {
    }

    final Bindings<ResourceType> types = new Bindings<>();
    final Bindings<HeartbeatTransportFactory> transports = new Bindings<>();
    final Bindings<PathConfiguration> paths = new Bindings<>();
    final Bindings<Sink> sinks = new Bindings<>(Sink::sink);
    final Bindings<TieBreaker> tieBreakers = new Bindings<>();
    final Fencing fencing = new Fencing(LocalNode::now);
    private volatile List<String> pingCommand = List.of("ping");
    /** Makes the public network watch from its settings; null: this machine's, probed through the node's pings. */
    private volatile Function<PublicNetworkWatch.Settings, PublicNetworkWatch> publicWatches;

    /**
     * @param s     an alert sink
     * @param props its service properties: filter and limits ({@link AlertSink#MIN_SEVERITY}...); bad ones are
     *              logged and the defaults deliver
     */
    void bindSink(AlertSink s, Map<String, Object> props) {
        AlertFilter f = AlertFilter.DEFAULT;
        try {
            f = AlertFilter.parse(props, AlertSink.MIN_SEVERITY, AlertSink.KINDS, AlertSink.TIMEOUT, AlertSink.QUEUE);
        } catch (IllegalArgumentException e) {
            LOG.warn("alert sink service {}: {}; delivering with the defaults ({})", props.get("service.id"), e.getMessage(),
                    f.describe());
        }
        sinks.bind(new Sink(s, f));
    }

    /** @return the tie-breaker of that type among those installed, or null */
    TieBreaker tieBreaker(String type) {
        for (TieBreaker t : tieBreakers.items()) {
            try {
                if (type.equals(t.type())) {
                    return t;
                }
            } catch (RuntimeException e) {
                LOG.warn("tie-breaker {} cannot name its type: {}", t.getClass().getName(), e.toString());
            }
        }
        return null;
    }

    List<String> pingCommand() {
        return pingCommand;
    }

    /** @param command the ping program and any leading arguments (set before the node starts) */
    void usePingCommand(List<String> command) {
        this.pingCommand = List.copyOf(command);
    }

    Function<PublicNetworkWatch.Settings, PublicNetworkWatch> publicWatches() {
        return publicWatches;
    }

    /** @param factory makes the public network watch from its settings (set before the node starts) */
    void usePublicNetworkWatches(Function<PublicNetworkWatch.Settings, PublicNetworkWatch> factory) {
        this.publicWatches = Objects.requireNonNull(factory);
    }
}
