package org.vigil.core.internal.engine;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.policy.Snapshot;
import org.vigil.core.internal.stats.GroupCounters;

/**
 * Feeds the group counters with where each group runs in one snapshot: the nodes up that report a resource of it
 * starting or running. Not every active state: a resource not probed yet is unknown, and counting a node that merely
 * has not looked yet as the group's holder would make this node's first start look like a takeover.
 */
final class Placements {

    private Placements() {
    }

    static void observe(GroupCounters counters, String self, Snapshot snap) {
        Map<String, Set<String>> on = new LinkedHashMap<>();
        Set<String> switching = new HashSet<>();
        for (GroupDef g : snap.document().groups()) {
            Set<String> nodes = new TreeSet<>();
            for (NodeView n : snap.nodes().values()) {
                if ((n.name().equals(self) || n.membership().isUp()) && holds(n.report().group(g.name()))) {
                    nodes.add(n.name());
                }
            }
            on.put(g.name(), nodes);
            if (self.equals(g.moveTo())) {
                switching.add(g.name());
            }
        }
        counters.observe(self, on, switching);
    }

    private static boolean holds(GroupReport r) {
        return r.any(ResourceState.RUNNING) || r.any(ResourceState.STARTING);
    }
}
