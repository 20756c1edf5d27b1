package org.vigil.core.internal.policy;

import org.vigil.api.resource.StopProof;

/**
 * One node as this node sees it.
 *
 * @param name        the node's name
 * @param membership  its membership state
 * @param onlineSince when it last became a member, on this node's monotonic clock (ms)
 * @param report      the last report heard from it (for this node itself: its own current report)
 * @param loss        for a {@link Membership#LOST} node: when it was lost and what proves it is down; else null
 * @param publicLostSince when this node first saw its report say its public network is lost, on this node's
 *                    monotonic clock (ms); meaningless while its public network is not lost
 */
public record NodeView(String name, Membership membership, long onlineSince, NodeReport report, Loss loss,
        long publicLostSince) {

    /** A node whose public network, if lost, has been lost since long ago. */
    public NodeView(String name, Membership membership, long onlineSince, NodeReport report, Loss loss) {
        this(name, membership, onlineSince, report, loss, Long.MIN_VALUE / 2);
    }

    /** A node that is not lost (or lost with nothing known about the loss). */
    public NodeView(String name, Membership membership, long onlineSince, NodeReport report) {
        this(name, membership, onlineSince, report, null);
    }

    /**
     * What is known about a lost node.
     *
     * @param lostAt      when this node declared it lost, on this node's monotonic clock (ms)
     * @param proof       what proves it runs nothing any more ("fenced by ...", "left the cluster cleanly",
     *                    "confirmed down by the admin"), or null when nothing does
     * @param fenceDevice true when a fence device is configured for it: then only a proof makes it down,
     *                    never the self-fencing bound alone
     * @param leaseUntil  until when it may still run what it ran, by its lease promise: this node's last receipt
     *                    from it plus its promise, or plus the freeze bound when its machine still answers ping (on
     *                    this node's monotonic clock, ms); Long.MIN_VALUE when no promise applies here (none made,
     *                    or more than two members: its lease may rest on another member's acknowledgements)
     * @param proofKind   what {@code proof} says of its machine, for agents ({@link StopProof}): fenced, confirmed,
     *                    left; null when there is no proof or it says only that its Vigil process is gone (its kernel
     *                    may still hold a mount)
     * @param addressSilent true when the ping tie-breaker finds its public address silent (its machine is off or cut
     *                    off), so {@code leaseUntil} is counted without the freeze bound; false when it answers (its
     *                    machine lives: only the heartbeats are cut, or its process is frozen) or nobody pings it
     */
    public record Loss(long lostAt, String proof, boolean fenceDevice, long leaseUntil, StopProof.Kind proofKind,
            boolean addressSilent) {

        /** A loss whose proof, if any, tells agents nothing. */
        public Loss(long lostAt, String proof, boolean fenceDevice, long leaseUntil) {
            this(lostAt, proof, fenceDevice, leaseUntil, null, false);
        }

        /** A loss without a receipt its lease could be counted from. */
        public Loss(long lostAt, String proof, boolean fenceDevice) {
            this(lostAt, proof, fenceDevice, Long.MIN_VALUE);
        }
    }
}
