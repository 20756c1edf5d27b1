package org.vigil.core.internal.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.Decision.Placement;

/**
 * Vigil's scheduler: a pure function from a {@link Snapshot} of the cluster to the {@link Decision} this
 * node acts on. No I/O, no clock, no randomness: the same snapshot always gives the same decision, which
 * is what makes the golden scenarios under {@code src/test/resources/scenarios} possible.
 *
 * <p>Every node runs the same function over its own view. Placement is computed identically everywhere;
 * each node then acts only on itself: it stops what should not run here, and starts what should run
 * here only once no other live node still holds any part of the group. Groups start in order, stop in
 * reverse, one step at a time.
 *
 * <p>Split-brain rules. A node without quorum ({@link QuorumView#has()} false) probes and stops everything
 * and starts nothing (self-fencing). A node whose report says it lacks quorum is never a candidate. A
 * lost node that may still run a group keeps that group from starting elsewhere until it is known down:
 * it was fenced, the admin confirmed it down, it left cleanly, or (only when no fence device is configured
 * for it and its stops did not fail) the self-fencing bound it promised has passed since it was lost.
 * With a fence device, the lowest-named live node fences a lost node that may still run something.
 * Without quorum configured a lost node counts as down at once, as before.
 *
 * <p>Public network rule. A node whose report says its public network is lost, for at least the dampening
 * its report gives (measured here from when this node first saw it lost), is not a candidate while another
 * candidate's is not lost: a group running there moves (stop there in reverse order, start on the
 * candidate), the standby losing its own moves nothing, and when no candidate has its public network
 * nothing is excluded (a switch cannot help). Stickiness and failback apply among the remaining candidates;
 * a switchover to a node without its public network is refused and its request cleared.
 */
public final class Policy {

    private Policy() {
    }

    /** @param s the cluster as this node sees it; @return what to do here and where every group belongs */
    public static Decision decide(Snapshot s) {
        List<Action> actions = new ArrayList<>();
        Map<String, Placement> placements = new LinkedHashMap<>();
        Set<String> defined = new TreeSet<>();
        for (GroupDef g : s.document().groups()) {
            g.resources().forEach(r -> defined.add(r.name()));
        }
        for (LocalResource lr : s.local().values().stream().sorted(Comparator.comparing(LocalResource::name)).toList()) {
            if (!defined.contains(lr.name()) && lr.state().isActive() && !s.busy().contains(lr.name())
                    && lr.state() != ResourceState.UNMANAGED && lr.state() != ResourceState.STOP_FAILED
                    && !s.document().maintenance()) {
                actions.add(new Action.StopOrphan(lr.name()));
            }
        }
        for (GroupDef g : s.document().groups()) {
            if (s.document().maintenance() || g.maintenance()) {
                placements.put(g.name(), new Placement(holderOf(s, g), "maintenance: Vigil takes no action"));
                continue;
            }
            placements.put(g.name(), s.quorum().has() ? decideGroup(s, g, actions) : withoutQuorum(s, g, actions));
            addMonitors(s, g, actions);
        }
        addFences(s, actions);
        return new Decision(List.copyOf(actions), placements);
    }

    /** Self-fencing: find out what runs here, stop it in reverse order, start nothing. */
    private static Placement withoutQuorum(Snapshot s, GroupDef g, List<Action> actions) {
        String why = "no quorum on " + s.localNode() + " (" + s.quorum().detail() + "): it stops the group here and starts nothing";
        if (g.resources().stream().anyMatch(r -> s.busy().contains(r.name()))) {
            return new Placement(null, why);
        }
        boolean probing = false;
        for (ResourceDef r : g.resources()) {
            if (s.localState(r.name()) == ResourceState.UNKNOWN) {
                actions.add(new Action.Probe(g.name(), r.name()));
                probing = true;
            }
        }
        if (!probing) {
            stopHighestActive(s, g, 0, actions);
        }
        return new Placement(null, why);
    }

    /** The lowest-named live node fences every lost node that may still run something and has a fence device. */
    private static void addFences(Snapshot s, List<Action> actions) {
        if (!s.quorum().mayFence() || s.document().maintenance()) {
            return;
        }
        String fencer = s.nodes().values().stream().filter(n -> n.membership().isUp()).map(NodeView::name).sorted()
                .findFirst().orElse(s.localNode());
        if (!fencer.equals(s.localNode())) {
            return;
        }
        s.nodes().values().stream().filter(n -> n.membership() == Membership.LOST).sorted(Comparator.comparing(NodeView::name))
                .filter(n -> n.loss() != null && n.loss().fenceDevice() && n.loss().proof() == null && n.report().anyActive())
                .forEach(n -> actions.add(new Action.Fence(n.name(), "lost while it may still run "
                        + String.join(", ", new TreeSet<>(n.report().groups().entrySet().stream()
                                .filter(e -> e.getValue().isActive()).map(Map.Entry::getKey).toList())))));
    }

    /**
     * @return why a lost node may still run something of the group, or null when it is known down (or
     *         reported nothing of the group active)
     */
    static String mayStillRun(Snapshot s, NodeView n, String group) {
        GroupReport r = n.report().group(group);
        if (n.membership() != Membership.LOST) {
            return null;
        }
        // Its last report may predate a start it made just before it was lost (the frame saying so was cut off):
        // with quorum, a lost node that could have started the group is waited out like one that ran it.
        boolean couldHaveStarted = !r.isActive() && s.quorum().configured() && n.report().quorate() && !r.banned();
        if (!r.isActive() && !couldHaveStarted) {
            return null;
        }
        NodeView.Loss loss = n.loss();
        // Leaving cleanly proves the node stopped what it reported stopped, not what it failed to stop: a group with a
        // failed stop in its leaving report stays blocked as for any lost node (fencing or fence-confirm proves it).
        boolean leftWithFailedStop = loss != null && loss.proofKind() == StopProof.Kind.LEFT
                && r.any(ResourceState.STOP_FAILED);
        if (loss != null && loss.proof() != null && !leftWithFailedStop) {
            return null;
        }
        if (loss != null && loss.fenceDevice() && !couldHaveStarted) {
            return "waiting for " + n.name() + " to be fenced (it was lost while it may still run " + group + ")";
        }
        long bound = Math.max(n.report().selfFenceMillis(), s.quorum().configured() ? s.quorum().lossStopMillis() : -1);
        if (bound < 0) {
            return null; // quorum not configured: a lost node counts as down at once
        }
        if (r.any(ResourceState.STOP_FAILED)) {
            return "a stop failed on " + n.name() + " before it was lost, so " + group + " may still run there: only "
                    + "fencing or vigil:fence-confirm " + n.name() + " proves it is down";
        }
        if (leaseApplies(s, n, group)) {
            long leaseLeft = loss.leaseUntil() - s.now();
            return leaseLeft <= 0 ? null : String.format(java.util.Locale.ROOT, "waiting out the lease of %s (%.2f s "
                    + "left): it stops everything at once when its lease lapses", n.name(), leaseLeft / 1000.0);
        }
        long lostAt = loss == null ? s.now() : loss.lostAt();
        long left = bound - (s.now() - lostAt);
        if (left > 0) {
            return String.format(java.util.Locale.ROOT, "waiting out the self-fencing bound of %s (%.1f s left): without "
                    + "quorum it stops everything within %.1f s", n.name(), left / 1000.0, bound / 1000.0);
        }
        return null;
    }

    /**
     * @return true when a lost node's lease promise bounds how long it may still run the group: quorum configured, a
     *         promise counted from this node's last receipt, and the group fully running there with nothing of it
     *         starting (a start underway could outlast the fast stop). Its lease ended within the lease after that
     *         receipt, and everything stopped at once.
     */
    static boolean leaseApplies(Snapshot s, NodeView n, String group) {
        GroupReport r = n.report().group(group);
        GroupDef def = s.document().group(group).orElse(null);
        return n.loss() != null && n.loss().leaseUntil() != Long.MIN_VALUE && s.quorum().configured() && def != null
                && !r.restarting() && def.resources().stream().allMatch(d -> r.resources().get(d.name()) == ResourceState.RUNNING);
    }

    private static Placement decideGroup(Snapshot s, GroupDef g, List<Action> actions) {
        String local = s.localNode();
        boolean busy = g.resources().stream().anyMatch(r -> s.busy().contains(r.name()));

        List<ResourceDef> unknown = g.resources().stream()
                .filter(r -> s.localState(r.name()) == ResourceState.UNKNOWN).toList();
        if (!unknown.isEmpty()) {
            for (ResourceDef r : unknown) {
                if (!s.busy().contains(r.name())) {
                    actions.add(new Action.Probe(g.name(), r.name()));
                }
            }
            return new Placement(null, "probing " + names(unknown) + " on " + local);
        }

        List<NodeView> up = s.nodes().values().stream().filter(n -> n.membership().isUp())
                .sorted(Comparator.comparing(NodeView::name)).toList();
        List<String> holders = up.stream().filter(n -> n.report().group(g.name()).isActive()).map(NodeView::name).toList();
        List<String> unmanagedAt = nodesWith(up, g, ResourceState.UNMANAGED);
        List<String> stopFailedAt = nodesWith(up, g, ResourceState.STOP_FAILED);
        List<String> probingAt = nodesWith(up, g, ResourceState.UNKNOWN);

        if (!unmanagedAt.isEmpty()) {
            return new Placement(holderOf(s, g), "unmanaged on " + String.join(", ", unmanagedAt)
                    + ": a resource type is not installed there; Vigil leaves the group alone until it returns");
        }
        if (!stopFailedAt.isEmpty()) {
            return new Placement(null, "blocked: a stop failed on " + String.join(", ", stopFailedAt)
                    + "; the group starts nowhere until that node is down or the admin runs vigil:cleanup " + g.name());
        }
        if (!probingAt.isEmpty()) {
            return new Placement(null, "waiting for " + String.join(", ", probingAt) + " to probe");
        }

        Set<String> types = g.resources().stream().map(ResourceDef::type).collect(Collectors.toSet());
        Comparator<String> byRank = rank(g);
        // Settledness must not influence placement: each node sees itself settle before its peers do, and
        // excluding unsettled nodes would let two nodes each pick themselves. It only delays starting.
        List<String> eligible = up.stream()
                .filter(n -> n.report().types().containsAll(types))
                .filter(n -> !n.report().group(g.name()).banned())
                .filter(n -> n.report().quorate())
                .map(NodeView::name).sorted(byRank).toList();
        // Public network rule: a node that lost its public network (for its dampening time) is not a candidate while
        // another candidate has its own (reports it not lost, not even just now). When none has, nothing is
        // excluded: a switch cannot help, so nothing moves.
        boolean someoneHasIt = eligible.stream().anyMatch(n -> !s.nodes().get(n).report().publicNetwork().lost());
        List<String> publicExcluded = someoneHasIt ? eligible.stream().filter(n -> publicLost(s, n)).toList() : List.of();
        List<String> candidates = eligible.stream().filter(n -> !publicExcluded.contains(n)).toList();

        String target;
        String reason;
        String move = g.moveTo();
        // A switchover to a node that reports its public network lost (even just now) would only move back.
        boolean moveRefused = move != null && someoneHasIt && eligible.contains(move)
                && s.nodes().get(move).report().publicNetwork().lost();
        if (g.role() == GroupDef.Role.STOPPED) {
            target = null;
            reason = "stopped by the admin (vigil:bring-in to start it)";
        } else if (moveRefused) {
            target = holders.stream().filter(candidates::contains).sorted(byRank).findFirst().orElse(candidates.get(0));
            reason = "switchover to " + move + " refused: " + move + " lost its public network ("
                    + s.nodes().get(move).report().publicNetwork().detail() + "); " + (holders.contains(target)
                            ? "runs on " + target : "placed on " + target + ", the most preferred eligible node");
        } else if (move != null && candidates.contains(move)) {
            target = move;
            reason = "switchover to " + move + " requested by the admin";
        } else {
            List<String> healthyHolders = holders.stream().filter(candidates::contains).sorted(byRank).toList();
            if (!healthyHolders.isEmpty()) {
                String h = healthyHolders.get(0);
                String best = candidates.get(0);
                NodeView bestView = s.nodes().get(best);
                if (g.failback() == GroupDef.Failback.AUTO && !best.equals(h) && byRank.compare(best, h) < 0) {
                    long stableFor = s.now() - bestView.onlineSince();
                    if (stableFor >= g.failbackDelayMillis()) {
                        target = best;
                        reason = "automatic failback to preferred node " + best;
                    } else {
                        target = h;
                        reason = "runs on " + h + "; failback to " + best + " after it has been up for "
                                + g.failbackDelayMillis() / 1000 + " s";
                    }
                } else {
                    target = h;
                    reason = "runs on " + h + (candidates.size() > 1 && !best.equals(h) ? " (sticky)" : "");
                }
                if (publicLostRecently(s, h)) {
                    // a stable sentence (the placement is logged when it changes): no countdown
                    PublicNetwork hp = s.nodes().get(h).report().publicNetwork();
                    reason += String.format(java.util.Locale.ROOT, "; its public network is lost (%s): it fails over once "
                            + "that has lasted %.1f s, unless the other nodes find theirs lost too", hp.detail(),
                            hp.dampenMillis() / 1000.0);
                } else if (publicLost(s, h)) {
                    reason += "; its public network is lost (" + s.nodes().get(h).report().publicNetwork().detail()
                            + ") but no eligible node has its own: a switch cannot help";
                }
            } else if (!candidates.isEmpty()) {
                target = candidates.get(0);
                List<String> cut = holders.stream().filter(publicExcluded::contains).toList();
                reason = holders.isEmpty() ? "placed on " + target + ", the most preferred eligible node"
                        : !cut.isEmpty() && cut.size() == holders.size() ? "fails over to " + target + ": "
                                + String.join(", ", cut) + " lost its public network (" + cut.stream().map(n -> s.nodes().get(n)
                                        .report().publicNetwork().detail()).collect(Collectors.joining("; ")) + ")"
                        : "moves to " + target + ": it cannot stay on " + String.join(", ", holders);
            } else {
                target = null;
                reason = "no eligible node: " + whyNoCandidates(s, g, up, types);
            }
        }

        if (move != null && (g.role() == GroupDef.Role.STOPPED || !canEverHost(s, g, move, types)
                || moveRefused)) {
            String clearer = target != null ? target : up.isEmpty() ? local : up.get(0).name();
            if (clearer.equals(local)) {
                actions.add(new Action.ClearMove(g.name(), move));
            }
        }

        if (busy) {
            return new Placement(target, reason);
        }
        boolean localActive = s.nodes().get(local).report().group(g.name()).isActive();
        if (localActive && !local.equals(target)) {
            stopHighestActive(s, g, 0, actions);
        } else if (local.equals(target)) {
            List<String> others = holders.stream().filter(h -> !h.equals(local)).toList();
            if (!others.isEmpty()) {
                return new Placement(target, reason + "; waiting for " + String.join(", ", others) + " to stop it");
            }
            List<String> unsafe = s.nodes().values().stream().sorted(Comparator.comparing(NodeView::name))
                    .map(n -> mayStillRun(s, n, g.name())).filter(java.util.Objects::nonNull).toList();
            if (!unsafe.isEmpty() && !localActive) {
                return new Placement(target, reason + "; " + String.join("; ", unsafe));
            }
            if (!s.settled()) {
                return new Placement(target, reason + "; waiting for membership to settle after start-up");
            }
            List<String> silent = up.stream().filter(n -> !n.name().equals(local) && n.membership() == Membership.SUSPECT)
                    .map(NodeView::name).toList();
            if (s.quorum().configured() && !silent.isEmpty() && !localActive) {
                // A silent peer still counts on this side, but what it reported is stale: it may have started
                // this group since. Wait until it is heard again or lost (then quorum and the bound decide).
                return new Placement(target, reason + "; waiting for " + String.join(", ", silent)
                        + " to be heard again or lost");
            }
            List<String> behind = up.stream().filter(n -> !n.name().equals(local)
                    && n.report().documentVersion() < s.document().version()).map(NodeView::name).toList();
            if (!behind.isEmpty() && !localActive && !s.restarting().contains(g.name())) {
                // A peer on an older document may still think itself eligible where this one is not (a cleanup
                // clears bans everywhere at once): wait until its report shows the change. Not for a restart in
                // place: the group was running here, and a peer that cannot get the document must not keep it down.
                return new Placement(target, reason + "; waiting for " + String.join(", ", behind)
                        + " to adopt document version " + s.document().version());
            }
            List<String> settling = up.stream().filter(n -> !n.name().equals(local) && !n.report().settled())
                    .map(NodeView::name).toList();
            if (!settling.isEmpty() && !localActive) {
                return new Placement(target, reason + "; waiting for " + String.join(", ", settling)
                        + " to finish starting up");
            }
            int failed = firstIndex(s, g, ResourceState.FAILED);
            if (failed >= 0) {
                stopHighestActive(s, g, failed, actions);
                return new Placement(target, reason + "; recovering " + g.resources().get(failed).name());
            }
            int next = firstIndex(s, g, ResourceState.STOPPED);
            if (next >= 0) {
                ResourceDef r = g.resources().get(next);
                actions.add(new Action.Start(g.name(), r.name(), Handover.planned(s, g, r)));
            } else if (local.equals(move)) {
                actions.add(new Action.ClearMove(g.name(), move));
            }
        }
        return new Placement(target, reason);
    }

    /** @return true when the node's public network is lost and has been for its dampening time (as seen here) */
    private static boolean publicLost(Snapshot s, String node) {
        NodeView v = s.nodes().get(node);
        return v != null && v.report().publicNetwork().lost()
                && s.now() - v.publicLostSince() >= v.report().publicNetwork().dampenMillis();
    }

    /** @return true when the node's public network is lost but not yet for its dampening time */
    private static boolean publicLostRecently(Snapshot s, String node) {
        NodeView v = s.nodes().get(node);
        return v != null && v.report().publicNetwork().lost() && !publicLost(s, node);
    }

    private static boolean canEverHost(Snapshot s, GroupDef g, String node, Set<String> types) {
        NodeView v = s.nodes().get(node);
        return v != null && v.membership().isUp() && v.report().types().containsAll(types)
                && !v.report().group(g.name()).banned();
    }

    private static void stopHighestActive(Snapshot s, GroupDef g, int from, List<Action> actions) {
        for (int k = g.resources().size() - 1; k >= from; k--) {
            String r = g.resources().get(k).name();
            ResourceState st = s.localState(r);
            if (st == ResourceState.RUNNING || st == ResourceState.FAILED) {
                actions.add(new Action.Stop(g.name(), r));
                return;
            }
        }
    }

    private static int firstIndex(Snapshot s, GroupDef g, ResourceState state) {
        for (int k = 0; k < g.resources().size(); k++) {
            if (s.localState(g.resources().get(k).name()) == state) {
                return k;
            }
        }
        return -1;
    }

    private static void addMonitors(Snapshot s, GroupDef g, List<Action> actions) {
        for (ResourceDef r : g.resources()) {
            LocalResource lr = s.local().get(r.name());
            if (lr != null && lr.state() == ResourceState.RUNNING && lr.typeInstalled() && !s.busy().contains(r.name())
                    && s.now() - lr.lastMonitor() >= lr.monitorInterval()) {
                actions.add(new Action.Monitor(g.name(), r.name()));
            }
        }
    }

    private static Comparator<String> rank(GroupDef g) {
        return Comparator.<String>comparingInt(n -> {
            int i = g.preferredNodes().indexOf(n);
            return i < 0 ? Integer.MAX_VALUE : i;
        }).thenComparing(Comparator.naturalOrder());
    }

    private static List<String> nodesWith(List<NodeView> up, GroupDef g, ResourceState st) {
        return up.stream().filter(n -> n.report().group(g.name()).any(st)).map(NodeView::name).toList();
    }

    private static String holderOf(Snapshot s, GroupDef g) {
        return s.nodes().values().stream().filter(n -> n.membership().isUp())
                .filter(n -> n.report().group(g.name()).isActive()).map(NodeView::name).sorted().findFirst().orElse(null);
    }

    private static String names(List<ResourceDef> rs) {
        return rs.stream().map(ResourceDef::name).collect(Collectors.joining(", "));
    }

    private static String whyNoCandidates(Snapshot s, GroupDef g, List<NodeView> up, Set<String> types) {
        List<String> why = new ArrayList<>();
        for (NodeView n : up) {
            if (!n.report().types().containsAll(types)) {
                Set<String> missing = new TreeSet<>(types);
                missing.removeAll(n.report().types());
                why.add(n.name() + " lacks type " + String.join(", ", missing));
            } else if (n.report().group(g.name()).banned()) {
                String note = n.report().group(g.name()).note();
                why.add(n.name() + " is banned after failures" + (note.isEmpty() ? "" : " (" + note + ")"));
            } else if (!n.report().quorate()) {
                why.add(n.name() + " has no quorum");
            }
        }
        return why.isEmpty() ? "no node is up" : String.join("; ", why);
    }
}
