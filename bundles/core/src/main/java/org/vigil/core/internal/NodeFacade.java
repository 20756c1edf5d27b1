package org.vigil.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.Engine;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.engine.Fencing;
import org.vigil.core.internal.heartbeat.HeartbeatIo;
import org.vigil.core.internal.fence.FenceSigner;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;
import org.vigil.core.internal.quorum.PingTieBreaker;

/** What the shell and the REST API see of a running node: {@link ClusterService} over its parts. */
final class NodeFacade implements ClusterService {

    private static final Logger LOG = LoggerFactory.getLogger(NodeFacade.class);

    private final LocalNode local;
    private final Fencing fencing;
    private final String name;
    private final Engine engine;
    private final MembershipTracker members;
    private final DocumentStore docs;
    private final Alerts alerts;
    /** Null while the node has no usable cluster key. */
    private final HeartbeatIo io;
    private final FenceSigner fenceSigner;

    /**
     * @param local   the running node
     * @param fencing its fence devices and agents
     */
    NodeFacade(LocalNode local, Fencing fencing) {
        this.local = local;
        this.fencing = fencing;
        this.name = local.name();
        this.engine = local.engine();
        this.members = local.members();
        this.docs = local.docs();
        this.alerts = local.alerts();
        this.io = local.io();
        this.fenceSigner = local.fenceSigner();
    }

    @Override
    public Fencing fencing() {
        return fencing;
    }

    @Override
    public Map<String, String> fenceResults() {
        return engine.fenceResults();
    }

    @Override
    public String tieBreakerInfo() {
        Quorum.Settings qs = engine.quorum().settings();
        if (qs.tieBreaker().isEmpty()) {
            return "none";
        }
        PingTieBreaker p = local.applied().pingTieBreaker();
        if (qs.tieBreaker().equals("ping") && p != null) {
            return p.describe();
        }
        return qs.tieBreaker() + (local.tieBreaker() == null ? " (NOT INSTALLED: this side cannot win a tie)" : " (installed)");
    }

    @Override
    public FenceResult fence(String target, FenceAction action, int timeoutSeconds) throws Exception {
        return engine.fenceNow(target, action).get(timeoutSeconds, TimeUnit.SECONDS);
    }

    @Override
    public String confirmDown(String target) throws Exception {
        try {
            return engine.confirmDown(target).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw e;
        }
    }

    @Override
    public String publicNetworkInfo() {
        PublicNetworkWatch w = engine.publicWatch();
        return w == null ? "" : w.settings().describe();
    }

    @Override
    public String nodeName() {
        return name;
    }

    @Override
    public long incarnation() {
        return local.incarnation();
    }

    @Override
    public EngineStatus engineStatus() {
        return engine.status();
    }

    @Override
    public Map<String, MembershipTracker.PeerView> peers() {
        return members.peers(LocalNode.now());
    }

    @Override
    public Map<String, org.vigil.core.internal.heartbeat.PathStatus> paths() {
        HeartbeatIo h = io;
        return h == null ? Map.of() : h.status();
    }

    @Override
    public String documentLag() {
        HeartbeatIo h = io;
        return h == null ? "" : h.documentLag();
    }

    @Override
    public ClusterDocument document() {
        return docs.current();
    }

    @Override
    public ClusterDocument change(UnaryOperator<ClusterDocument> change) {
        return change(null, null, change);
    }

    @Override
    public ClusterDocument change(String user, String what, UnaryOperator<ClusterDocument> change) {
        ClusterDocument d = docs.update(what == null ? change : doc -> {
            ClusterDocument n = change.apply(doc);
            return n == doc ? n : n.recording(new org.vigil.core.internal.model.Change(n.version(), name, user, System.currentTimeMillis(), what));
        });
        if (what != null) {
            LOG.info("cluster document version {}: {} by user {} on this node", d.version(), what, user == null ? "-" : user);
        }
        HeartbeatIo h = io;
        if (h != null) {
            h.pushDocument();
        }
        engine.wakeup();
        return d;
    }

    @Override
    public Map<String, ResourceTypeDescription> resourceTypes() {
        Map<String, ResourceTypeDescription> out = new TreeMap<>();
        engine.types().forEach((k, t) -> {
            try {
                out.put(k, t.describe());
            } catch (RuntimeException e) {
                LOG.warn("resource type {} failed to describe itself: {}", k, e.toString());
            }
        });
        return out;
    }

    @Override
    public Map<String, TransportDescription> pathTypes() {
        HeartbeatIo h = io;
        return h == null ? Map.of() : h.transports();
    }

    @Override
    public List<String> validateResource(String type, Map<String, String> params) {
        ResourceType t = engine.types().get(type);
        if (t == null) {
            return List.of("type '" + type + "' is not installed on this node (installed: "
                    + String.join(", ", engine.types().keySet()) + "); install its feature with feature:install vigil-resource-" + type);
        }
        List<String> problems = new ArrayList<>();
        ResourceTypeDescription d = t.describe();
        Map<String, String> full = new TreeMap<>();
        for (ParameterDescription p : d.parameters()) {
            if (p.defaultValue() != null) {
                full.put(p.name(), p.defaultValue());
            }
        }
        for (String k : params.keySet()) {
            if (d.parameter(k).isEmpty()) {
                problems.add(k + ": not a parameter of type " + type + " (parameters: "
                        + String.join(", ", d.parameters().stream().map(ParameterDescription::name).toList()) + ")");
            }
        }
        for (ParameterDescription p : d.parameters()) {
            if (p.required() && (params.get(p.name()) == null || params.get(p.name()).isBlank())) {
                problems.add(p.name() + ": required (" + p.description() + ")");
            }
        }
        if (problems.isEmpty()) {
            full.putAll(params);
            try {
                OperationResult r = t.validate(full);
                if (r == null || !r.isOk()) {
                    problems.add(r == null ? "the type's validation returned nothing" : r.message());
                }
            } catch (RuntimeException e) {
                problems.add("the type's validation failed: " + e);
            }
        }
        return problems;
    }

    @Override
    public List<AlertEvent> recentEvents() {
        return alerts.recent();
    }

    @Override
    public List<org.vigil.core.internal.alert.AlertLane.Stats> alertSinks() {
        return alerts.sinkStats();
    }

    @Override
    public org.vigil.core.internal.stats.NodeStats stats() {
        Engine e = engine;
        HeartbeatIo h = io;
        Alerts a = alerts;
        return e == null || a == null ? org.vigil.core.internal.stats.NodeStats.NONE
                : e.stats(a.eventCounts(), h == null ? List.of() : h.links().lines());
    }

    @Override
    public void raiseTestAlert(String message) {
        alerts.raise(org.vigil.api.alert.Severity.INFO, "test", name, message);
    }

    @Override
    public java.util.Optional<org.vigil.api.fence.FenceMessageSigner> fenceSigner() {
        return java.util.Optional.ofNullable(fenceSigner);
    }
}
