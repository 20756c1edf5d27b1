package org.vigil.core.internal.engine;

import java.util.HashMap;
import java.util.Map;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.policy.Snapshot;

/**
 * What this node saw of each resource's last holder, so that a planned hand-over ({@code policy.Handover}) is
 * confirmed only when this node watched the old holder report the resource running and then stopped, heard all
 * along, within {@link #WINDOW_MILLIS}: a switchover's stop that succeeded. A first placement (a named bring-in
 * also asks for a node) has no such holder and keeps the agent's full check. Engine thread only.
 */
final class HandoverWitness {

    /**
     * How recently the old holder must have been seen with the resource active: a switchover's stops, not a group
     * that was brought out long ago and is now brought in on another node (its address may have found another user
     * meanwhile: that start keeps the full check).
     */
    static final long WINDOW_MILLIS = 60_000;

    /**
     * A member seen reporting a resource active: its membership episode (since when it was online) and when.
     */
    private record Holder(String node, long onlineSince, long seenActive) {
    }

    private final Map<String, Holder> holders = new HashMap<>();

    /** Records, for every resource, the online member that reports it running; forgets members not online. */
    void observe(Snapshot s) {
        holders.values().removeIf(h -> {
            NodeView n = s.nodes().get(h.node());
            return n == null || n.membership() != Membership.ONLINE || n.onlineSince() != h.onlineSince();
        });
        for (NodeView n : s.nodes().values()) {
            if (n.name().equals(s.localNode()) || n.membership() != Membership.ONLINE) {
                continue;
            }
            for (GroupReport g : n.report().groups().values()) {
                g.resources().forEach((r, st) -> {
                    if (st == ResourceState.RUNNING) { // not UNKNOWN: a member probing a new resource held nothing
                        holders.put(r, new Holder(n.name(), n.onlineSince(), s.now()));
                    }
                });
            }
        }
    }

    /**
     * @return {@code a} as it is, or, for a start marked as a planned hand-over whose old holder this node did not
     *         see stop it (still online, same episode, now reporting it stopped), the same start without the mark
     */
    Action confirm(Action a, Snapshot s) {
        if (!(a instanceof Action.Start st) || !st.handover()) {
            return a;
        }
        return witnessed(s, st.resource()) ? a : new Action.Start(st.group(), st.resource(), false);
    }

    private boolean witnessed(Snapshot s, String resource) {
        Holder h = holders.get(resource);
        if (h == null || s.now() - h.seenActive() > WINDOW_MILLIS) {
            return false;
        }
        NodeView n = s.nodes().get(h.node());
        if (n == null || n.membership() != Membership.ONLINE || n.onlineSince() != h.onlineSince()) {
            return false;
        }
        for (GroupDef g : s.document().groups()) {
            for (ResourceDef r : g.resources()) {
                if (r.name().equals(resource)) {
                    return n.report().group(g.name()).resources().getOrDefault(resource, ResourceState.STOPPED)
                            == ResourceState.STOPPED;
                }
            }
        }
        return false;
    }
}
