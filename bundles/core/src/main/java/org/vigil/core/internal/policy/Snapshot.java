package org.vigil.core.internal.policy;

import java.util.Map;
import java.util.Set;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.Sorted;

/**
 * Everything the policy decides from: the cluster as this node sees it at one instant.
 *
 * @param localNode this node's name
 * @param now       the instant, on this node's monotonic clock (ms)
 * @param settled   true once this node's start-up wait is over: before that it starts nothing
 * @param document  the cluster document
 * @param nodes     every node this node knows, including itself
 * @param local     this node's resources by name (all resources of the document, plus orphans still active)
 * @param busy      the resources with an operation under way here
 * @param quorum    this node's quorum
 * @param restarting the groups this node is restarting in place after a failure of its own (within their
 *                   max-restarts), until they run again
 */
public record Snapshot(String localNode, long now, boolean settled, ClusterDocument document,
        Map<String, NodeView> nodes, Map<String, LocalResource> local, Set<String> busy, QuorumView quorum,
        Set<String> restarting) {

    /** Canonical constructor; copies collections. */
    public Snapshot {
        nodes = Sorted.copyOf(nodes);
        local = Sorted.copyOf(local);
        busy = Sorted.copyOf(busy);
        quorum = quorum == null ? QuorumView.NOT_CONFIGURED : quorum;
        restarting = restarting == null ? Set.of() : Sorted.copyOf(restarting);
    }

    /** A snapshot with no group restarting in place. */
    public Snapshot(String localNode, long now, boolean settled, ClusterDocument document,
            Map<String, NodeView> nodes, Map<String, LocalResource> local, Set<String> busy, QuorumView quorum) {
        this(localNode, now, settled, document, nodes, local, busy, quorum, Set.of());
    }

    /** A snapshot without quorum configured ({@link QuorumView#NOT_CONFIGURED}). */
    public Snapshot(String localNode, long now, boolean settled, ClusterDocument document,
            Map<String, NodeView> nodes, Map<String, LocalResource> local, Set<String> busy) {
        this(localNode, now, settled, document, nodes, local, busy, QuorumView.NOT_CONFIGURED);
    }

    /** @param r a resource; @return its state here ({@link ResourceState#STOPPED} when unknown to the map) */
    public ResourceState localState(String r) {
        LocalResource lr = local.get(r);
        return lr == null ? ResourceState.STOPPED : lr.state();
    }
}
