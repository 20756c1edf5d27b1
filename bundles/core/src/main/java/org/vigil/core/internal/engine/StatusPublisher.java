package org.vigil.core.internal.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.LocalResource;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.Snapshot;
import org.vigil.core.internal.policy.StopProofs;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * What the engine shows of each tick: the {@link Snapshot} the policy decides on, then this node's report
 * for the heartbeats (handed on when it changed) and the status for the shell.
 */
final class StatusPublisher {

    private final String node;
    private final long startedAt;
    private final Runnable reportChanged;
    private final Inbox inbox;
    private final LocalState locals;
    private final ResourceTypes types;
    private final DocumentSync sync;
    private final QuorumWatch quorum;
    private final Proofs proofs;
    private final FenceControl fences;
    private final PublicNetworkTracker publicNetwork;
    private volatile WireReport report;
    private volatile EngineStatus status;

    // Engine thread only.
    private ClusterDocument digestOf;
    private String digest = "";

    StatusPublisher(String node, long startedAt, Runnable reportChanged, Inbox inbox, LocalState locals,
            ResourceTypes types, DocumentSync sync, QuorumWatch quorum, Proofs proofs, FenceControl fences,
            PublicNetworkTracker publicNetwork) {
        this.node = node;
        this.startedAt = startedAt;
        this.reportChanged = reportChanged;
        this.inbox = inbox;
        this.locals = locals;
        this.types = types;
        this.sync = sync;
        this.quorum = quorum;
        this.proofs = proofs;
        this.fences = fences;
        this.publicNetwork = publicNetwork;
        this.report = new WireReport(new NodeReport(0, Set.of(), false, Map.of()), "", false);
    }

    /** @return the latest report for heartbeats */
    WireReport report() {
        return report;
    }

    /** @return the latest status for the shell (null before the first tick) */
    EngineStatus status() {
        return status;
    }

    /** @return what the policy decides on: this node, its peers, the local resources, the quorum */
    Snapshot snapshot(long now, boolean settled, ClusterDocument doc, Map<String, MembershipTracker.PeerView> peers,
            QuorumView qv) {
        Map<String, LocalResource> lr = new HashMap<>();
        Set<String> busy = new HashSet<>();
        for (Local l : locals.resources()) {
            boolean installed = l.def != null && types.has(l.def.type());
            lr.put(l.name, new LocalResource(l.name, l.state, l.lastMonitor, types.monitorInterval(l.def), installed));
            if (l.op != null) {
                busy.add(l.name);
            }
        }
        Map<String, NodeView> nodes = new LinkedHashMap<>();
        NodeReport own = sync.ownReport(doc, settled);
        PublicNetworkWatch pw = publicNetwork.watch();
        nodes.put(node, new NodeView(node, Membership.ONLINE, pw == null ? startedAt : Math.max(startedAt, pw.okSince()), own,
                null, pw == null ? Long.MIN_VALUE / 2 : pw.lostSince()));
        long quorateSince = quorum.quorateSince();
        // With two members, a lost one's lease rests on this node's acknowledgements alone (or on the tie-breaker,
        // which this node must win before it starts anything): its promise counts from this node's last receipt.
        boolean twoMembers = quorum.quorum().settings().votes().size() == 2;
        peers.forEach((name, p) -> {
            if (!name.equals(node)) {
                // While this node had no quorum, the lost node may have had it (this node was the minority):
                // its self-fencing bound runs only from when this node has quorum again.
                NodeView.Loss loss = p.membership() == Membership.LOST
                        ? new NodeView.Loss(Math.max(p.lostSince(), qv.configured() ? quorateSince : Long.MIN_VALUE),
                                proofs.proof(p), fences.fencing().hasDevice(name), twoMembers ? quorum.leaseUntil(p) : Long.MIN_VALUE,
                                proofs.kind(p), quorum.addressSilent(name))
                        : null;
                long since = publicNetwork.eligibleSince(name, p.onlineSince(), p.report(), now);
                // Heard but not acknowledging (with the lease): a link cut one way, its report may be stale.
                Membership m = p.membership() == Membership.ONLINE && quorum.unacknowledged().contains(name)
                        ? Membership.SUSPECT : p.membership();
                nodes.put(name, new NodeView(name, m, since, p.report(), loss, publicNetwork.peerLostAt(name)));
            }
        });
        if (qv.configured()) {
            // A member not heard since this node started may run anything (it may be frozen or cut off with what
            // it ran): to the policy it is a node lost when this node started, waited out like any lost node.
            Quorum q = quorum.quorum();
            for (String m : q.settings().votes().keySet()) {
                MembershipTracker.PeerView p = peers.get(m);
                if (!m.equals(node) && (p == null || p.membership() == Membership.UNKNOWN)) {
                    Proofs.Proof pr = proofs.get(m);
                    nodes.put(m, new NodeView(m, Membership.LOST, startedAt, NodeReport.NONE,
                            new NodeView.Loss(Math.max(startedAt, quorateSince), pr == null ? null : pr.text(),
                                    fences.fencing().hasDevice(m), Long.MIN_VALUE, pr == null ? null : pr.kind(), false)));
                }
            }
        }
        fences.summarize();
        Snapshot snap = new Snapshot(node, now, settled, doc, nodes, lr, busy, qv, locals.restarting(doc));
        proofs.forAgents(StopProofs.of(snap), now);
        return snap;
    }

    /** Publishes this tick's report (handed on when it changed) and status. */
    void publish(Snapshot snap, Decision decision, boolean settled, String notReady) {
        fences.setQuiet(inbox.isEmpty() && locals.idle());
        ClusterDocument doc = snap.document();
        NodeReport own = snap.nodes().get(node).report();
        if (doc != digestOf) {
            digestOf = doc;
            digest = doc.digest();
        }
        WireReport next = new WireReport(own, digest, false);
        if (!next.equals(report)) {
            report = next;
            reportChanged.run();
        }
        Map<String, EngineStatus.LocalLine> lines = new TreeMap<>();
        for (Local l : locals.resources()) {
            lines.put(l.name, new EngineStatus.LocalLine(l.name, l.group, l.def == null ? "?" : l.def.type(), l.state,
                    l.degraded, l.changedSinceStart() ? (l.message.isEmpty() ? "" : l.message + "; ")
                            + "parameters changed: they apply when it next starts" : l.message,
                    l.op == null ? null : l.op.action().render()));
        }
        status = new EngineStatus(snap, decision, settled, notReady, lines, locals.recentFailures());
        Placements.observe(locals.groupCounters(), node, snap);
    }
}
