package org.vigil.api.resource;

import java.util.Objects;

/**
 * The core's proof that another node no longer runs anything of a group: handed to an agent through
 * {@link ResourceContext#stopProof(String)} when it starts a resource that the other node may have held, so an
 * agent that guards against a live holder (a disk reservation, a lock with a lease) need not wait out that
 * holder's lease a second time.
 *
 * <p>Only these count, and only while the node has not been heard again since: it was fenced (a fence agent
 * answered NODE_OFF), the admin confirmed it down, it left the cluster cleanly (after stopping its groups), or,
 * with quorum configured and no fence device for it, the lease or the self-fencing bound it promised has passed
 * since it was lost (it stops everything when its lease or quorum goes). A node that is merely silent, a lost node
 * without quorum configured (a dead time passed proves nothing), a node whose stop failed, and a node whose Vigil
 * process is gone while its machine may live (refused heartbeat ports: what its kernel held, a mount, may still
 * be there) have none.
 *
 * @param node   the node proven to have stopped
 * @param kind   what proves it
 * @param detail the proof in the core's words, for the agent's messages (for example "fenced (power off)")
 * @since 1.3
 */
public record StopProof(String node, Kind kind, String detail) {

    /** What proves that a node has stopped. */
    public enum Kind {
        /** A fence agent answered NODE_OFF for it (also {@code vigil:fence} by the admin). */
        FENCED,
        /** The admin confirmed it down ({@code vigil:fence-confirm}). */
        CONFIRMED,
        /** It announced that it leaves the cluster, after stopping its groups. */
        LEFT,
        /** Its lease lapsed: it stopped everything at once (the fast stop), by its promise. */
        LEASE_LAPSED,
        /** Its self-fencing bound passed since it was lost: without quorum it stopped everything within it. */
        SELF_FENCE_BOUND_PASSED
    }

    /**
     * @param node   the node proven to have stopped
     * @param kind   what proves it
     * @param detail the proof in the core's words
     */
    public StopProof {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
