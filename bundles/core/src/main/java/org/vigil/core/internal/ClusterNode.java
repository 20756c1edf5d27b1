package org.vigil.core.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.engine.Fencing;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * The cluster service of one node as Declarative Services sees it, configured by {@code etc/org.vigil.node.cfg}
 * ({@link NodeConfig}): it keeps the plug-in services bound ({@link NodePlugins}), starts a {@link LocalNode} over
 * them on activation and forwards {@link ClusterService} to it. Everything else lives in those plain classes.
 */
@Component(service = ClusterService.class, immediate = true, configurationPid = "org.vigil.node",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NodeConfig.class)
public class ClusterNode implements ClusterService {

    private final NodePlugins plugins = new NodePlugins();
    private volatile LocalNode node;

    /**
     * @param props the node configuration, raw; a bad value makes the node not ready (its default stands in)
     * @throws IOException when the state directory cannot be written
     */
    @Activate
    public void activate(Map<String, Object> props) throws IOException {
        node = new LocalNode(NodeSettings.parse(props), plugins);
    }

    /**
     * @param props the changed configuration: timing applies at once; name, key and state directory at the next
     *              start. A bad value keeps its last good one and makes the node not ready until fixed
     */
    @Modified
    public void modified(Map<String, Object> props) {
        LocalNode n = node;
        n.reconfigure(NodeSettings.parse(props, n.settings()));
    }

    /** Stops every local resource so peers take over, tells them this node leaves, then closes everything. */
    @Deactivate
    public void deactivate() {
        node.stop();
    }

    /** @return the running node, or null before activation (for tests) */
    public LocalNode running() {
        return node;
    }

    /**
     * Replaces the ping program (before activation): for tests of a node that cannot run ping.
     *
     * @param command the program and any leading arguments
     */
    public void usePingCommand(List<String> command) {
        plugins.usePingCommand(command);
    }

    /**
     * Replaces how the public network is probed (before activation): for tests that give a node a copy of the
     * sysfs layout and a ping of their own instead of this machine's.
     *
     * @param factory makes the watch from the settings
     */
    public void usePublicNetworkWatches(Function<PublicNetworkWatch.Settings, PublicNetworkWatch> factory) {
        plugins.usePublicNetworkWatches(factory);
    }

    // ---- plug-ins (dynamic, multiple): Declarative Services needs one method pair per reference ----

    /** @param t a resource type */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addResourceType(ResourceType t) {
        plugins.types.bind(t);
    }

    /** @param t a resource type going away */
    public void removeResourceType(ResourceType t) {
        plugins.types.unbind(t);
    }

    /** @param f a heartbeat transport */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addTransport(HeartbeatTransportFactory f) {
        plugins.transports.bind(f);
    }

    /** @param f a heartbeat transport going away */
    public void removeTransport(HeartbeatTransportFactory f) {
        plugins.transports.unbind(f);
    }

    /** @param p a configured heartbeat path */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addPath(PathConfiguration p) {
        plugins.paths.bind(p);
    }

    /** @param p a path configuration going away */
    public void removePath(PathConfiguration p) {
        plugins.paths.unbind(p);
    }

    /** @param s an alert sink @param props its service properties: filter and limits (AlertSink.MIN_SEVERITY...) */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addAlertSink(AlertSink s, Map<String, Object> props) {
        plugins.bindSink(s, props);
    }

    /** @param s an alert sink going away */
    public void removeAlertSink(AlertSink s) {
        plugins.sinks.unbind(s);
    }

    /** @param t a tie-breaker */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addTieBreaker(TieBreaker t) {
        plugins.tieBreakers.bind(t);
    }

    /** @param t a tie-breaker going away */
    public void removeTieBreaker(TieBreaker t) {
        plugins.tieBreakers.unbind(t);
    }

    /** @param a a fence agent */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addFenceAgent(FenceAgent a) {
        plugins.fencing.addAgent(a);
    }

    /** @param a a fence agent going away */
    public void removeFenceAgent(FenceAgent a) {
        plugins.fencing.removeAgent(a);
    }

    /** @param d a configured fence device */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addFenceDevice(FenceConfiguration d) {
        plugins.fencing.addDevice(d);
    }

    /** @param d a fence device configuration going away */
    public void removeFenceDevice(FenceConfiguration d) {
        plugins.fencing.removeDevice(d);
    }

    // ---- ClusterService, forwarded to the running node ----

    private ClusterService facade() {
        return node.facade();
    }

    @Override
    public Fencing fencing() {
        return plugins.fencing;
    }

    @Override
    public Map<String, String> fenceResults() {
        return facade().fenceResults();
    }

    @Override
    public String tieBreakerInfo() {
        return facade().tieBreakerInfo();
    }

    @Override
    public FenceResult fence(String target, FenceAction action, int timeoutSeconds) throws Exception {
        return facade().fence(target, action, timeoutSeconds);
    }

    @Override
    public String confirmDown(String target) throws Exception {
        return facade().confirmDown(target);
    }

    @Override
    public String publicNetworkInfo() {
        return facade().publicNetworkInfo();
    }

    @Override
    public String nodeName() {
        return facade().nodeName();
    }

    @Override
    public long incarnation() {
        return facade().incarnation();
    }

    @Override
    public EngineStatus engineStatus() {
        return facade().engineStatus();
    }

    @Override
    public Map<String, MembershipTracker.PeerView> peers() {
        return facade().peers();
    }

    @Override
    public Map<String, org.vigil.core.internal.heartbeat.PathStatus> paths() {
        return facade().paths();
    }

    @Override
    public String documentLag() {
        return facade().documentLag();
    }

    @Override
    public ClusterDocument document() {
        return facade().document();
    }

    @Override
    public ClusterDocument change(UnaryOperator<ClusterDocument> change) {
        return facade().change(change);
    }

    @Override
    public ClusterDocument change(String user, String what, UnaryOperator<ClusterDocument> change) {
        return facade().change(user, what, change);
    }

    @Override
    public Map<String, ResourceTypeDescription> resourceTypes() {
        return facade().resourceTypes();
    }

    @Override
    public Map<String, TransportDescription> pathTypes() {
        return facade().pathTypes();
    }

    @Override
    public List<String> validateResource(String type, Map<String, String> params) {
        return facade().validateResource(type, params);
    }

    @Override
    public List<AlertEvent> recentEvents() {
        return facade().recentEvents();
    }

    @Override
    public List<org.vigil.core.internal.alert.AlertLane.Stats> alertSinks() {
        return facade().alertSinks();
    }

    @Override
    public org.vigil.core.internal.stats.NodeStats stats() {
        return facade().stats();
    }

    @Override
    public void raiseTestAlert(String message) {
        facade().raiseTestAlert(message);
    }

    @Override
    public java.util.Optional<org.vigil.api.fence.FenceMessageSigner> fenceSigner() {
        return facade().fenceSigner();
    }
}
