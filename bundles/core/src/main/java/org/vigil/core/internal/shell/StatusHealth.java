package org.vigil.core.internal.shell;

import java.util.ArrayList;
import java.util.List;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.heartbeat.PathState;
import org.vigil.core.internal.heartbeat.PathStatus;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;

/**
 * This node's verdict on the cluster for scripts and monitoring: OK, DEGRADED or NOT_READY, with one reason per
 * problem, in the words vigil:status uses.
 *
 * @param status  {@link ExitStatus#OK}, {@link ExitStatus#DEGRADED} or {@link ExitStatus#NOT_READY}
 * @param reasons why it is not OK (not-ready reasons first); empty when OK
 */
record StatusHealth(ExitStatus status, List<String> reasons) {

    StatusHealth {
        reasons = List.copyOf(reasons);
    }

    /** @param c the cluster service; @return its health now */
    static StatusHealth of(ClusterService c) {
        EngineStatus st = c.engineStatus();
        if (st == null) {
            return new StatusHealth(ExitStatus.NOT_READY, List.of("starting: the engine has not run yet"));
        }
        List<String> notReady = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        if (st.notReadyReason() != null) {
            notReady.add("not ready: " + st.notReadyReason());
        } else if (!st.settled()) {
            notReady.add("starting up: waiting for membership to settle");
        }
        QuorumView q = st.snapshot().quorum();
        if (!q.has()) {
            notReady.add("no quorum: " + q.detail());
        }
        if (!c.documentLag().isEmpty()) { // changes made since do not apply here
            degraded.add(c.documentLag());
        }
        if (c.document().maintenance()) {
            degraded.add("maintenance mode: Vigil takes no action");
        }
        for (NodeView n : st.snapshot().nodes().values()) {
            nodeProblems(c, n, degraded);
        }
        for (PathStatus p : c.paths().values()) {
            if (p.state() != PathState.OPEN) {
                degraded.add("path " + p.name() + " is " + p.state() + (p.detail().isEmpty() ? "" : ": " + p.detail()));
            }
        }
        for (GroupDef g : c.document().groups()) {
            groupProblems(st, g, degraded);
        }
        List<String> all = new ArrayList<>(notReady);
        all.addAll(degraded);
        ExitStatus s = !notReady.isEmpty() ? ExitStatus.NOT_READY : !degraded.isEmpty() ? ExitStatus.DEGRADED : ExitStatus.OK;
        return new StatusHealth(s, all);
    }

    private static void nodeProblems(ClusterService c, NodeView n, List<String> degraded) {
        boolean self = n.name().equals(c.nodeName());
        if (!self && !n.membership().isUp()) {
            degraded.add("node " + n.name() + " is " + n.membership().name().toLowerCase()
                    + (n.loss() != null && n.loss().proof() == null && n.loss().fenceDevice() ? ", not fenced yet" : ""));
            return;
        }
        if (n.report().publicNetwork().lost()) {
            degraded.add("node " + n.name() + ": public network lost (" + n.report().publicNetwork().detail() + ")");
        }
        if (!self && !n.report().quorate()) {
            degraded.add("node " + n.name() + " has no quorum");
        }
        MembershipTracker.PeerView p = self ? null : c.peers().get(n.name());
        if (p != null) {
            long up = p.paths().stream().filter(MembershipTracker.PathView::up).count();
            if (up < c.paths().size()) {
                List<String> down = p.paths().stream().filter(v -> !v.up()).map(MembershipTracker.PathView::path).toList();
                degraded.add("node " + n.name() + ": " + up + " of " + c.paths().size() + " paths up"
                        + (down.isEmpty() ? "" : " (down: " + String.join(", ", down) + ")"));
            }
        }
    }

    private static void groupProblems(EngineStatus st, GroupDef g, List<String> degraded) {
        List<String> on = new ArrayList<>();
        for (NodeView n : st.snapshot().nodes().values()) {
            if (!n.membership().isUp()) {
                continue;
            }
            GroupReport r = n.report().group(g.name());
            if (r.isActive()) {
                on.add(n.name());
            }
            if (r.banned()) {
                degraded.add("group " + g.name() + " is banned on " + n.name() + ": " + r.note());
            }
            if (r.any(ResourceState.FAILED) || r.any(ResourceState.STOP_FAILED) || r.any(ResourceState.UNMANAGED)) {
                degraded.add("group " + g.name() + " has a failed or unmanaged resource on " + n.name());
            }
        }
        if (on.size() > 1) {
            degraded.add("group " + g.name() + " is active on " + String.join(" and ", on));
        }
        if (on.isEmpty() && g.role() == GroupDef.Role.STARTED && !g.maintenance() && !g.resources().isEmpty()) {
            var pl = st.decision().placements().get(g.name());
            degraded.add("group " + g.name() + " runs nowhere" + (pl == null ? "" : ": " + pl.reason()));
        }
    }
}
