package org.vigil.core.internal.policy;

import java.util.Map;
import java.util.Set;

/**
 * What a node tells the others in every heartbeat.
 *
 * @param documentVersion the version of the cluster document it holds
 * @param types           the resource types installed on it
 * @param settled         true once its start-up wait is over (it knows the membership)
 * @param groups          its groups that are active or banned there
 */
public record NodeReport(long documentVersion, Set<String> types, boolean settled, Map<String, GroupReport> groups) {

    /** An empty report: a node not heard of. */
    public static final NodeReport NONE = new NodeReport(0, Set.of(), false, Map.of());

    /** Canonical constructor; copies collections. */
    public NodeReport {
        types = Set.copyOf(types);
        groups = Map.copyOf(groups);
    }

    /** @param g a group; @return what this node reports about it, or an empty report */
    public GroupReport group(String g) {
        GroupReport r = groups.get(g);
        return r == null ? new GroupReport(Map.of(), false, "") : r;
    }
}
