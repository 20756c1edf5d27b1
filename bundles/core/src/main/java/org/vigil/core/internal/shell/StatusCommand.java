package org.vigil.core.internal.shell;

import java.io.PrintStream;
import java.util.Map;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.vigil.api.alert.AlertEvent;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.heartbeat.PathStatus;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.model.Text;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;

/** {@code vigil:status}: nodes, every heartbeat path, groups and where they run, last failures. */
@Command(scope = "vigil", name = "status", description = "Shows the cluster: nodes, heartbeat paths, groups, where each runs, last failures")
@Service
public class StatusCommand extends ClusterAction {

    @Option(name = "--json", description = "Print the status as one JSON object (schema vigil-status/1, docs/cli.md)")
    boolean json;

    @Override
    protected Object run() {
        PrintStream out = Text.terminal(System.out); // program output and peers' notes never steer the terminal
        StatusHealth health = StatusHealth.of(cluster);
        if (json) {
            out.print(org.vigil.core.internal.json.Json.writePretty(StatusJson.of(cluster, health, java.time.Instant.now())));
            return health.status();
        }
        EngineStatus st = cluster.engineStatus();
        if (st == null) {
            out.println("Vigil node " + cluster.nodeName() + " is starting");
            return health.status();
        }
        out.printf("Vigil node %s (incarnation %d), cluster document version %d%s%n", cluster.nodeName(),
                cluster.incarnation(), cluster.document().version(),
                cluster.document().maintenance() ? ", MAINTENANCE MODE: Vigil takes no action" : "");
        if (st.notReadyReason() != null) {
            out.println("NOT READY: " + st.notReadyReason());
        } else if (!st.settled()) {
            out.println("starting up: waiting for membership to settle");
        }
        if (health.status() == ExitStatus.DEGRADED) { // the reasons behind bin/vigil's exit status 1
            out.println("DEGRADED: " + String.join("; ", health.reasons()));
        }
        QuorumView q = st.snapshot().quorum();
        if (q.configured()) {
            out.printf("Quorum: %s (%s); tie-breaker: %s; self-fencing bound %d ms%n", q.has() ? "HAS QUORUM" : "NO QUORUM",
                    q.detail(), cluster.tieBreakerInfo(), q.lossStopMillis());
        } else {
            out.println("Quorum: " + (q.has() ? "" : "NO QUORUM: ") + q.detail());
        }
        if (!cluster.fencing().devices().isEmpty()) {
            StringBuilder fb = new StringBuilder();
            cluster.fencing().devices().forEach(d -> fb.append(fb.length() == 0 ? "" : "; ").append(d.name()).append(" (")
                    .append(d.type()).append(", level ").append(d.level()).append(", fences ")
                    .append(String.join(",", d.nodes())).append("): ").append(d.state()));
            out.println("Fence devices: " + fb);
        }
        cluster.fenceResults().forEach((n, r) -> out.println("Last fencing of " + n + ": " + r));
        String pub = cluster.publicNetworkInfo();
        out.println("Public network watch: " + (pub.isEmpty() ? "off (public.interfaces and public.ping.targets are empty)" : pub));
        out.println();
        out.println("Nodes:");
        long now = System.nanoTime() / 1_000_000; // the same monotonic clock the node uses, read now
        Map<String, MembershipTracker.PeerView> peers = cluster.peers();
        for (NodeView n : st.snapshot().nodes().values()) {
            if (n.name().equals(cluster.nodeName())) {
                out.printf("  %-16s %-8s (this node)%s%n", n.name(), "online", publicNetwork(n.report().publicNetwork()));
                continue;
            }
            MembershipTracker.PeerView p = peers.get(n.name());
            StringBuilder paths = new StringBuilder();
            int up = 0;
            if (p != null) {
                for (MembershipTracker.PathView pv : p.paths()) {
                    paths.append(paths.length() == 0 ? "" : ", ").append(pv.path()).append(pv.up() ? " up" : " DOWN")
                            .append(" (heard ").append(age(now - pv.lastHeard())).append(" ago)");
                    up += pv.up() ? 1 : 0;
                }
            }
            String degraded = p != null && n.membership().isUp() && up < cluster.paths().size() ? "  DEGRADED" : "";
            String quorate = n.membership().isUp() && !n.report().quorate() ? "  NO QUORUM" : "";
            String lost = "";
            if (n.loss() != null) {
                lost = "  lost " + age(now - n.loss().lostAt()) + " ago" + (n.loss().proof() != null ? ", down: " + n.loss().proof()
                        : n.loss().fenceDevice() ? ", not fenced yet" : "");
            }
            String pubnet = n.membership().isUp() ? publicNetwork(n.report().publicNetwork()) : "";
            if (!degraded.isEmpty() && n.report().publicNetwork().lost()) {
                degraded = "";
                pubnet = pubnet.replace("  DEGRADED: public", "  DEGRADED: some paths down; public");
            }
            out.printf("  %-16s %-8s paths: %s%s%s%s%s%n", n.name(), n.membership().name().toLowerCase(),
                    paths.length() == 0 ? "none heard" : paths, degraded, quorate, lost, pubnet);
        }
        out.println();
        out.println("Heartbeat paths of this node:");
        if (cluster.paths().isEmpty()) {
            out.println("  none configured: this node runs as a one-node cluster (add etc/org.vigil.path-<name>.cfg)");
        }
        for (PathStatus p : cluster.paths().values()) {
            out.printf("  %-12s %-7s %-9s %s%n", p.name(), p.type(), p.state(),
                    p.detail().isEmpty() ? p.counters().summary() : p.detail());
        }
        out.println();
        out.println("Groups:");
        if (cluster.document().groups().isEmpty()) {
            out.println("  none defined (vigil:group-add, vigil:resource-add)");
        }
        for (GroupDef g : cluster.document().groups()) {
            Decision.Placement pl = st.decision().placements().get(g.name());
            StringBuilder where = new StringBuilder();
            for (NodeView n : st.snapshot().nodes().values()) {
                GroupReport r = n.report().group(g.name());
                if (n.membership().isUp() && r.isActive()) {
                    where.append(where.length() == 0 ? "" : ", ").append(n.name());
                }
            }
            out.printf("  %-16s %s  [%s%s, failback %s, preferred %s]%n", g.name(),
                    where.length() == 0 ? "stopped" : "on " + where, g.role().name().toLowerCase(),
                    g.maintenance() ? ", maintenance" : "", g.failback().name().toLowerCase(),
                    g.preferredNodes().isEmpty() ? "any" : String.join(",", g.preferredNodes()));
            if (pl != null) {
                out.println("      " + pl.reason());
            }
            for (ResourceDef r : g.resources()) {
                StringBuilder states = new StringBuilder();
                for (NodeView n : st.snapshot().nodes().values()) {
                    ResourceState s = n.report().group(g.name()).resources().get(r.name());
                    if (s != null && n.membership().isUp()) {
                        states.append(states.length() == 0 ? "" : ", ").append(n.name()).append(": ").append(s);
                    }
                }
                EngineStatus.LocalLine ll = st.resources().get(r.name());
                String msg = ll != null && !ll.message().isEmpty() ? "  (" + ll.message() + ")" : "";
                String op = ll != null && ll.operation() != null ? "  [" + ll.operation() + "]" : "";
                out.printf("      %-20s %-10s %s%s%s%n", r.name(), r.type(), states.length() == 0 ? "stopped" : states,
                        op, msg);
            }
            for (NodeView n : st.snapshot().nodes().values()) {
                GroupReport r = n.report().group(g.name());
                if (r.banned() || !r.note().isEmpty()) {
                    out.printf("      %s on %s: %s%n", r.banned() ? "BANNED" : "last failure", n.name(), r.note());
                }
            }
        }
        if (!st.recentFailures().isEmpty()) {
            out.println();
            out.println("Last failures on this node:");
            st.recentFailures().forEach(f -> out.println("  " + f));
        }
        AlertSummary.print(out, cluster.alertSinks());
        var events = cluster.recentEvents();
        if (!events.isEmpty()) {
            out.println();
            out.println("Recent events on this node:");
            for (AlertEvent e : events.subList(Math.max(0, events.size() - 8), events.size())) {
                out.printf("  %s %-8s %s%n", e.time().toString().substring(0, 19), e.severity(), e.message());
            }
        }
        return health.status();
    }

    /** @return the node's public network for its line: "" when not watched; DEGRADED when lost */
    static String publicNetwork(PublicNetwork p) {
        return switch (p.state()) {
            case NOT_WATCHED -> "";
            case OK -> "  public network ok (" + p.detail() + ")";
            case LOST -> "  DEGRADED: public network LOST (" + p.detail() + ")";
        };
    }

    private static String age(long ms) {
        ms = Math.max(0, ms);
        return ms < 1000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }
}
