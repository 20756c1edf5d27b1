package org.vigil.core.internal.engine;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * The local state kept in step with the cluster document (resources that appear, change type or go away,
 * maintenance left, the admin's cleanup), and this node's own report of it for the others. Engine thread only.
 */
final class DocumentSync {

    private final String node;
    private final Alerts alerts;
    private final LocalState locals;
    private final ResourceTypes types;
    private final FenceControl fences;
    private final QuorumWatch quorum;
    private final PublicNetworkTracker publicNetwork;
    private boolean clusterMaintenance;

    DocumentSync(String node, Alerts alerts, LocalState locals, ResourceTypes types, FenceControl fences,
            QuorumWatch quorum, PublicNetworkTracker publicNetwork) {
        this.node = node;
        this.alerts = alerts;
        this.locals = locals;
        this.types = types;
        this.fences = fences;
        this.quorum = quorum;
        this.publicNetwork = publicNetwork;
    }

    /** @param doc the current cluster document: the local resources and groups follow it */
    void syncWithDocument(ClusterDocument doc) {
        Set<String> defined = new HashSet<>();
        boolean clusterLeft = clusterMaintenance && !doc.maintenance();
        clusterMaintenance = doc.maintenance();
        for (GroupDef g : doc.groups()) {
            GroupLocal gl = locals.group(g.name());
            String fence = fences.fencedBy();
            if (fence != null && gl.banned == null && gl.cleanupSeen < 0) { // a group that appeared while fenced
                gl.banned = fence;
            }
            boolean left = clusterLeft || (gl.maintenance && !g.maintenance());
            gl.maintenance = g.maintenance();
            if (left) {
                // Vigil took no action while in maintenance: the admin may have changed anything; look again.
                for (ResourceDef r : g.resources()) {
                    Local l = locals.resource(r.name());
                    if (l != null && l.op == null && types.has(r.type()) && l.state != ResourceState.STOP_FAILED) {
                        l.state = ResourceState.UNKNOWN;
                    }
                }
            }
            if (gl.cleanupSeen < 0) {
                gl.cleanupSeen = g.cleanup();
            } else if (g.cleanup() > gl.cleanupSeen) {
                gl.cleanupSeen = g.cleanup();
                if (fence != null) {
                    fences.cleared(fence);
                    alerts.raise(Severity.INFO, "fence-cleared", node, "vigil:cleanup " + g.name() + ": " + node
                            + " no longer obeys '" + fence + "'; groups still banned by it need their own vigil:cleanup");
                }
                gl.failures.clear();
                gl.banned = null;
                gl.lastNote = "";
                for (ResourceDef r : g.resources()) {
                    Local l = locals.resource(r.name());
                    if (l != null && l.state == ResourceState.STOP_FAILED && l.op == null) {
                        l.state = ResourceState.UNKNOWN;
                    }
                }
                alerts.raise(Severity.INFO, "cleanup", g.name(), "failures of group " + g.name() + " cleared on " + node);
            }
            for (ResourceDef r : g.resources()) {
                defined.add(r.name());
                Local l = locals.resource(r.name());
                if (l == null) {
                    l = new Local(r.name());
                    l.state = types.has(r.type()) ? ResourceState.UNKNOWN : ResourceState.STOPPED;
                    locals.add(l);
                }
                if (l.def != null && !l.def.type().equals(r.type()) && l.op == null) {
                    l.handler = null;
                    l.state = l.state.isActive() ? l.state : ResourceState.UNKNOWN;
                }
                l.def = r;
                l.group = g.name();
            }
        }
        locals.retainGroups(doc.groups().stream().map(GroupDef::name).toList());
        // Orphans that are stopped are forgotten; active ones stay until stopped.
        locals.forgetStoppedOrphans(defined);
    }

    /** @return this node's report of the document's groups: what is active here, bans, notes, restarts */
    NodeReport ownReport(ClusterDocument doc, boolean settled) {
        Map<String, GroupReport> groups = new TreeMap<>();
        for (GroupDef g : doc.groups()) {
            Map<String, ResourceState> active = new TreeMap<>();
            for (ResourceDef r : g.resources()) {
                Local l = locals.resource(r.name());
                if (l != null && l.state.isActive()) {
                    active.put(r.name(), l.state);
                }
            }
            GroupLocal gl = locals.groupIfKnown(g.name());
            boolean banned = gl != null && gl.banned != null;
            String note = gl == null ? "" : banned ? gl.banned : gl.lastNote;
            boolean restarting = !banned && locals.inPlace().holds(g.name());
            if (!active.isEmpty() || banned || !note.isEmpty() || restarting) {
                groups.put(g.name(), new GroupReport(active, banned, note, restarting));
            }
        }
        QuorumView q = quorum.last();
        PublicNetworkWatch pw = publicNetwork.watch();
        return new NodeReport(doc.version(), types.ids(), settled, groups, q.has(), q.lossStopMillis(), quorum.hears(),
                pw == null ? PublicNetwork.NOT_WATCHED : pw.state(), quorum.promiseMillis());
    }
}
