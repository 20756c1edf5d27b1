package org.vigil.core.internal.policy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.model.GroupDef;

/**
 * Which lost nodes are proven to run nothing of a group, for the agents that start it here
 * ({@code ResourceContext.stopProof}: the disk agent then takes over a reservation without waiting out the old
 * holder's lease again). Pure, like {@link Policy}: the same snapshot gives the same proofs.
 *
 * <p>What counts (docs/split-brain-safety.md, "What agents are told"): a recorded proof that says the node's
 * machine runs nothing (fenced, confirmed down by the admin, left cleanly with nothing of the group still active or
 * stop-failed in its last report); or, with quorum configured and held
 * here, no fence device for it and no failed stop in its report, the wait the policy itself makes before it starts
 * the node's groups elsewhere being over: its lease promise passed while its public address is silent to the ping
 * tie-breaker (its machine is off or cut off), or its self-fencing bound. Never: a lease passed while its machine
 * still answers ping (a heartbeat cut, or a process frozen past the freeze bound whose programs still write); a node not
 * lost; a lost node without quorum configured (only a dead time passed: it may be cut off and running); a node
 * whose Vigil process is gone while its machine may live (refused ports: its kernel may still hold a mount); a
 * node whose last report shows the group stopped and that could not have started it (nothing to take over: its
 * stop released what it held).
 */
public final class StopProofs {

    private StopProofs() {
    }

    /** @param s the cluster as this node sees it; @return by group, the lost nodes proven to run nothing of it */
    public static Map<String, Map<String, StopProof>> of(Snapshot s) {
        Map<String, Map<String, StopProof>> out = new LinkedHashMap<>();
        for (GroupDef g : s.document().groups()) {
            Map<String, StopProof> byNode = new TreeMap<>();
            for (NodeView n : s.nodes().values()) {
                StopProof p = of(s, n, g.name());
                if (p != null) {
                    byNode.put(n.name(), p);
                }
            }
            if (!byNode.isEmpty()) {
                out.put(g.name(), Map.copyOf(byNode));
            }
        }
        return Map.copyOf(out);
    }

    /** @return what proves that lost node {@code n} runs nothing of {@code group}, or null when nothing does */
    static StopProof of(Snapshot s, NodeView n, String group) {
        NodeView.Loss loss = n.loss();
        if (n.membership() != Membership.LOST || loss == null || n.name().equals(s.localNode())) {
            return null;
        }
        GroupReport r = n.report().group(group);
        if (loss.proof() != null) {
            // Leaving, a node stops its groups first, but leaves anyway when a stop failed or in maintenance mode.
            boolean leftRunning = loss.proofKind() == StopProof.Kind.LEFT && (r.isActive() || r.any(ResourceState.STOP_FAILED));
            return loss.proofKind() == null || leftRunning ? null : new StopProof(n.name(), loss.proofKind(), loss.proof());
        }
        // Without quorum here the lost node may hold it (it may be the majority): no promise of it binds.
        if (!s.quorum().configured() || !s.quorum().has() || loss.fenceDevice()) {
            return null;
        }
        boolean couldHaveStarted = !r.isActive() && n.report().quorate() && !r.banned();
        if ((!r.isActive() && !couldHaveStarted) || r.any(ResourceState.STOP_FAILED)
                || Policy.mayStillRun(s, n, group) != null) {
            return null;
        }
        if (Policy.leaseApplies(s, n, group)) {
            if (!loss.addressSilent()) {
                // Its machine answers (heartbeats cut, or its process frozen past the freeze bound with its programs
                // still writing): the group may move, but a disk's own lease keeps guarding until it is released.
                return null;
            }
            return new StopProof(n.name(), StopProof.Kind.LEASE_LAPSED, String.format(Locale.ROOT, "its lease lapsed"
                    + " %.2f s ago (lost %.2f s ago): it stopped everything at once", (s.now() - loss.leaseUntil())
                    / 1000.0, (s.now() - loss.lostAt()) / 1000.0));
        }
        long bound = Math.max(n.report().selfFenceMillis(), s.quorum().lossStopMillis());
        return new StopProof(n.name(), StopProof.Kind.SELF_FENCE_BOUND_PASSED, String.format(Locale.ROOT, "its "
                + "self-fencing bound of %.1f s passed since it was lost %.1f s ago: without quorum it stopped everything",
                bound / 1000.0, (s.now() - loss.lostAt()) / 1000.0));
    }
}
