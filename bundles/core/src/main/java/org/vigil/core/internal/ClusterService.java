package org.vigil.core.internal;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.heartbeat.PathStatus;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.ClusterDocument;

/** The cluster service of this node, as the shell commands see it. Internal to the core bundle. */
public interface ClusterService {

    /** @return this node's name */
    String nodeName();

    /** @return this node's incarnation */
    long incarnation();

    /** @return the signer of fence messages with this node's cluster key; empty without a usable key */
    java.util.Optional<org.vigil.api.fence.FenceMessageSigner> fenceSigner();

    /** @return the engine's latest status, or null before the first tick */
    EngineStatus engineStatus();

    /** @return every peer this node has heard */
    Map<String, MembershipTracker.PeerView> peers();

    /** @return this node's heartbeat paths */
    Map<String, PathStatus> paths();

    /** @return why this node does not hold the cluster document its peers announce, or "" when it does (or cannot tell) */
    default String documentLag() {
        return "";
    }

    /** @return the cluster document */
    ClusterDocument document();

    /**
     * Changes the cluster document; the change reaches every node.
     *
     * @param change from the current document to the next version
     * @return the new version
     * @throws IllegalArgumentException when the change is not valid (nothing changes then)
     */
    ClusterDocument change(UnaryOperator<ClusterDocument> change);

    /**
     * Changes the cluster document and records who did it in the document's history (every node shows it) and in
     * this node's log.
     *
     * @param user   the authenticated user, or null
     * @param what   the command and what it named
     * @param change from the current document to the next version
     * @return the new version
     * @throws IllegalArgumentException when the change is not valid (nothing changes then)
     */
    default ClusterDocument change(String user, String what, UnaryOperator<ClusterDocument> change) {
        return change(change);
    }

    /** @return the resource types installed on this node, by identifier */
    Map<String, ResourceTypeDescription> resourceTypes();

    /** @return the heartbeat transports installed on this node, by identifier */
    Map<String, TransportDescription> pathTypes();

    /**
     * @param type   a resource type
     * @param params the parameters the admin gave
     * @return one message per problem, each naming the parameter; empty when valid
     */
    List<String> validateResource(String type, Map<String, String> params);

    /** @return each alert sink's counters (delivered, failed, timed out, dropped); none by default (test fakes) */
    default List<org.vigil.core.internal.alert.AlertLane.Stats> alertSinks() {
        return List.of();
    }

    /** @return this node's counters (events, takeovers, restarts, operation times, links); none by default (test fakes) */
    default org.vigil.core.internal.stats.NodeStats stats() {
        return org.vigil.core.internal.stats.NodeStats.NONE;
    }

    /**
     * Raises an INFO event of kind {@code test} that every sink not filtering it delivers.
     *
     * @param message its text
     * @throws UnsupportedOperationException by default (test fakes); the cluster node raises it
     */
    default void raiseTestAlert(String message) {
        throw new UnsupportedOperationException("no alerts here");
    }

    /** @return the latest cluster events raised on this node, oldest first */
    List<AlertEvent> recentEvents();

    /** @return this node's fence devices and agents */
    org.vigil.core.internal.engine.Fencing fencing();

    /** @return each node's last automatic fencing result */
    Map<String, String> fenceResults();

    /** @return the configured tie-breaker, in one line */
    String tieBreakerInfo();

    /**
     * Fences a node now with its configured devices (the admin's request; no fence delay).
     *
     * @param node           the node
     * @param action         what to do
     * @param timeoutSeconds how long to wait for the answer
     * @return the devices' answer
     * @throws Exception when no answer came in time
     */
    org.vigil.api.fence.FenceResult fence(String node, org.vigil.api.fence.FenceAction action, int timeoutSeconds)
            throws Exception;

    /**
     * The admin vouches that a node is down: its groups may start elsewhere.
     *
     * @param node the node
     * @return a message for the admin
     * @throws IllegalArgumentException when the node is online
     * @throws Exception when the engine did not answer
     */
    String confirmDown(String node) throws Exception;

    /** @return what this node's public network watch checks, in one line ("" when it watches nothing) */
    default String publicNetworkInfo() {
        return "";
    }
}
