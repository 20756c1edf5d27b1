package org.vigil.core.internal.policy;

import java.util.Map;
import java.util.Optional;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * The planned hand-over rule: whether a start here follows the admin's switchover with every other member of the
 * cluster heard saying it holds nothing of the resource's type. Then the agent may skip what it does to find out
 * whether another host still holds the resource (the ip agent's duplicate-address listen); a takeover after a
 * crash, a cut or a freeze never qualifies. The safety argument is in docs/split-brain-safety.md ("Planned
 * hand-over").
 *
 * <p>All of these must hold: quorum is configured ({@code cluster.nodes} names every member, so a member not heard
 * since this node started is in the snapshot, as lost); the group's switchover request names this node; at least
 * one other node is known and every other node is {@link Membership#ONLINE} (heard within a few heartbeat intervals:
 * not suspect, not lost, even with a proof), on exactly this node's document version; and none of them reports
 * active any resource of the same type, in any group, nor any resource the document does not know.
 */
public final class Handover {

    private Handover() {
    }

    /**
     * @param s the snapshot the start is decided on
     * @param g the group
     * @param r the resource about to start here
     * @return true when the start is a planned hand-over by the rule above
     */
    public static boolean planned(Snapshot s, GroupDef g, ResourceDef r) {
        return whyNot(s, g, r).isEmpty();
    }

    /**
     * @param s the snapshot the start is decided on
     * @param g the group
     * @param r the resource about to start here
     * @return why the start is not a planned hand-over (for tests and logs), or empty when it is
     */
    public static Optional<String> whyNot(Snapshot s, GroupDef g, ResourceDef r) {
        if (!s.quorum().configured()) {
            return Optional.of("quorum is not configured: the members are not known");
        }
        if (!s.localNode().equals(g.moveTo())) {
            return Optional.of("no switchover of " + g.name() + " to " + s.localNode() + " is pending");
        }
        boolean othersKnown = false;
        for (NodeView n : s.nodes().values()) {
            if (n.name().equals(s.localNode())) {
                continue;
            }
            othersKnown = true;
            if (n.membership() != Membership.ONLINE) {
                return Optional.of(n.name() + " is " + n.membership().name().toLowerCase(java.util.Locale.ROOT));
            }
            if (n.report().documentVersion() != s.document().version()) {
                // Older: it may not know the switchover yet. Newer: the admin may have changed the request (a move
                // back to it), so it may be about to start the group itself.
                return Optional.of(n.name() + " is on document version " + n.report().documentVersion() + ", this node on "
                        + s.document().version());
            }
            for (GroupReport gr : n.report().groups().values()) {
                for (Map.Entry<String, ResourceState> e : gr.resources().entrySet()) {
                    if (e.getValue() == ResourceState.STOPPED) {
                        continue;
                    }
                    String type = typeOf(s, e.getKey());
                    if (type == null || type.equals(r.type())) {
                        return Optional.of(n.name() + " reports " + e.getKey() + " " + e.getValue().name().toLowerCase(
                                java.util.Locale.ROOT));
                    }
                }
            }
        }
        return othersKnown ? Optional.empty() : Optional.of("no other node is known");
    }

    private static String typeOf(Snapshot s, String resource) {
        for (GroupDef g : s.document().groups()) {
            for (ResourceDef d : g.resources()) {
                if (d.name().equals(resource)) {
                    return d.type();
                }
            }
        }
        return null;
    }
}
