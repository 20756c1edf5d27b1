package org.vigil.core.internal.policy;

/**
 * This node's quorum, as the policy needs it: computed by {@code membership.Quorum} from the members'
 * votes, who can hear whom, the proofs of nodes known down and the tie-breaker's last answer.
 *
 * @param configured     true when {@code cluster.nodes} names the members; false means every node acts alone
 *                       (the behaviour before quorum existed: a lost node counts as down at once)
 * @param has            true when this node may run groups; false: it stops everything and starts nothing
 * @param mayFence       true when this node may fence a lost node (it has quorum, or its side holds exactly
 *                       half the votes: then fencing itself breaks the tie, guarded by {@code fence.delay.ms})
 * @param votes          the votes on this node's side
 * @param total          the votes of every member not known down
 * @param detail         one line for the status, in the admin's words
 * @param lossStopMillis the self-fencing bound this node promises: it stops everything within this time
 *                       after it loses quorum (negative: no promise, when quorum is not configured)
 */
public record QuorumView(boolean configured, boolean has, boolean mayFence, int votes, int total, String detail,
        long lossStopMillis) {

    /** Quorum not configured: this node acts alone, as before quorum existed. */
    public static final QuorumView NOT_CONFIGURED = new QuorumView(false, true, true, 0, 0,
            "not configured (cluster.nodes is empty): a lost node counts as down at once", -1);

    /** Canonical constructor. */
    public QuorumView {
        detail = detail == null ? "" : detail;
    }
}
