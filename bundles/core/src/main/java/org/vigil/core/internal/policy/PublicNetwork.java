package org.vigil.core.internal.policy;

/**
 * A node's public network as it reports it: one node-level verdict, not one per group. The public network is
 * the side clients reach the groups on; a node that lost it serves nobody, so the policy moves its groups to
 * a node that still has its own (and moves nothing when none has).
 *
 * @param state  what the node's public network watch found
 * @param detail the reason, in the admin's words (which interface has no carrier, which targets are silent)
 * @param dampenMillis how long after this node's public network is seen lost the others wait before moving its
 *               groups: long enough for every node's watch to check its own public network (two of its check
 *               periods), so that when the public network fails for all (a switch), nothing moves
 */
public record PublicNetwork(State state, String detail, long dampenMillis) {

    /** The verdict of a node's public network watch. */
    public enum State {
        /** The node does not watch its public network ({@code public.interfaces} and {@code public.ping.targets} empty). */
        NOT_WATCHED,
        /** Every watched interface has a carrier and is up, and a ping target answers (or too few checks failed yet). */
        OK,
        /** {@code public.lost.after} consecutive checks failed: the node is not a candidate while another has its own. */
        LOST
    }

    /** A node that does not watch its public network (or an older node that does not say). */
    public static final PublicNetwork NOT_WATCHED = new PublicNetwork(State.NOT_WATCHED, "", 0);

    /** A verdict without dampening. */
    public PublicNetwork(State state, String detail) {
        this(state, detail, 0);
    }

    /** Canonical constructor. */
    public PublicNetwork {
        state = state == null ? State.NOT_WATCHED : state;
        detail = detail == null ? "" : detail;
        dampenMillis = Math.max(0, dampenMillis);
    }

    /** @return true when the node's public network is known lost (not watched counts as not lost) */
    public boolean lost() {
        return state == State.LOST;
    }
}
