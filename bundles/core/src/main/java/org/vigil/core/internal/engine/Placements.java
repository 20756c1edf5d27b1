package org.vigil.core.internal.engine;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.Snapshot;
import org.vigil.core.internal.stats.GroupCounters;

/** Feeds the group counters with where each group runs in one snapshot: the nodes up that report it active. */
final class Placements {

    private Placements() {
    }

    static void observe(GroupCounters counters, String self, Snapshot snap) {
        Map<String, Set<String>> on = new LinkedHashMap<>();
        Set<String> switching = new HashSet<>();
        for (GroupDef g : snap.document().groups()) {
            Set<String> nodes = new TreeSet<>();
            for (NodeView n : snap.nodes().values()) {
                if ((n.name().equals(self) || n.membership().isUp()) && n.report().group(g.name()).isActive()) {
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
}
