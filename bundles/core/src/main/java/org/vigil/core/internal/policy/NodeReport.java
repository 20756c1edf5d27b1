package org.vigil.core.internal.policy;

import java.util.Map;
import java.util.Set;
import org.vigil.core.internal.model.Sorted;

/**
 * What a node tells the others in every heartbeat.
 *
 * @param documentVersion the version of the cluster document it holds
 * @param types           the resource types installed on it
 * @param settled         true once its start-up wait is over (it knows the membership)
 * @param groups          its groups that are active or banned there
 * @param quorate         true when it has quorum (a node without quorum is never a candidate for a group)
 * @param selfFenceMillis the self-fencing bound it promises: after it loses quorum it stops everything within
 *                        this time (negative: no promise, quorum not configured there)
 * @param hears           the nodes it counts as up, or null when it does not say (an older node): a node that
 *                        no longer hears this node is not on this node's side of a split, even if this node
 *                        still hears it (a one-way cut)
 * @param publicNetwork   its public network watch's verdict ({@link PublicNetwork#NOT_WATCHED} when it does not say)
 * @param leaseMillis     its lease promise: counted from another node's last receipt from it, it has stopped every
 *                        group it ran there (fully started ones; see {@code Policy.mayStillRun}) within this time once
 *                        that node no longer hears it; negative: no lease (an older node, or quorum without one)
 */
public record NodeReport(long documentVersion, Set<String> types, boolean settled, Map<String, GroupReport> groups,
        boolean quorate, long selfFenceMillis, Set<String> hears, PublicNetwork publicNetwork, long leaseMillis) {

    /** An empty report: a node not heard of. */
    public static final NodeReport NONE = new NodeReport(0, Set.of(), false, Map.of());

    /** Canonical constructor; copies collections. */
    public NodeReport {
        types = Sorted.copyOf(types);
        groups = Sorted.copyOf(groups);
        hears = hears == null ? null : Sorted.copyOf(hears);
        publicNetwork = publicNetwork == null ? PublicNetwork.NOT_WATCHED : publicNetwork;
    }

    /** A report without a lease promise. */
    public NodeReport(long documentVersion, Set<String> types, boolean settled, Map<String, GroupReport> groups,
            boolean quorate, long selfFenceMillis, Set<String> hears, PublicNetwork publicNetwork) {
        this(documentVersion, types, settled, groups, quorate, selfFenceMillis, hears, publicNetwork, -1);
    }

    /** A report without a public network verdict ({@link PublicNetwork#NOT_WATCHED}). */
    public NodeReport(long documentVersion, Set<String> types, boolean settled, Map<String, GroupReport> groups,
            boolean quorate, long selfFenceMillis, Set<String> hears) {
        this(documentVersion, types, settled, groups, quorate, selfFenceMillis, hears, PublicNetwork.NOT_WATCHED);
    }

    /** A report without quorum information (quorum not configured): quorate, no promise, hears unknown. */
    public NodeReport(long documentVersion, Set<String> types, boolean settled, Map<String, GroupReport> groups) {
        this(documentVersion, types, settled, groups, true, -1, null, PublicNetwork.NOT_WATCHED);
    }

    /** @param g a group; @return what this node reports about it, or an empty report */
    public GroupReport group(String g) {
        GroupReport r = groups.get(g);
        return r == null ? new GroupReport(Map.of(), false, "") : r;
    }

    /** @return true when any group is active on that node */
    public boolean anyActive() {
        return groups.values().stream().anyMatch(GroupReport::isActive);
    }
}
