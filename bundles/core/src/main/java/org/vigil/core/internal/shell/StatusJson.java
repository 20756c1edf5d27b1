package org.vigil.core.internal.shell;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.api.alert.AlertEvent;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.alert.AlertLane;
import org.vigil.core.internal.stats.GroupCounters;
import org.vigil.core.internal.stats.NodeStats;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.heartbeat.PathStatus;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.PathCounters;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;

/**
 * {@code vigil:status --json}: the status as one JSON object, schema {@value #SCHEMA}, documented field by field in
 * docs/cli.md. Field names are stable: a new field may be added, none is renamed or removed without a new schema
 * name. Every string is escaped by {@link org.vigil.core.internal.json.Json} (control characters as \\uXXXX).
 */
final class StatusJson {

    /** The schema name and version, the first field of the object. */
    static final String SCHEMA = "vigil-status/1";

    private StatusJson() {
    }

    /**
     * @param c      the cluster service
     * @param health its health, computed by the caller (the same verdict decides the exit status)
     * @param now    the wall-clock time to report
     * @return the status object (ordered maps and lists of plain values)
     */
    static Map<String, Object> of(ClusterService c, StatusHealth health, Instant now) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("schema", SCHEMA);
        o.put("time", now.toString());
        o.put("node", c.nodeName());
        o.put("incarnation", c.incarnation());
        o.put("documentVersion", c.document().version());
        o.put("maintenance", c.document().maintenance());
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("state", health.status().label());
        h.put("exitCode", health.status().code());
        h.put("reasons", health.reasons());
        o.put("health", h);
        EngineStatus st = c.engineStatus();
        NodeStats stats = c.stats();
        o.put("ready", st != null && st.notReadyReason() == null && st.settled());
        o.put("settled", st != null && st.settled());
        o.put("notReadyReasons", notReady(st));
        o.put("quorum", st == null ? null : quorum(c, st.snapshot().quorum()));
        o.put("nodes", st == null ? List.of() : nodes(c, st, stats));
        o.put("paths", paths(c));
        o.put("groups", st == null ? List.of() : groups(c, st, stats));
        List<Object> fence = new ArrayList<>();
        c.fencing().devices().forEach(d -> fence.add(map("name", d.name(), "type", d.type(), "level", d.level(),
                "nodes", d.nodes(), "state", d.state())));
        o.put("fenceDevices", fence);
        Map<String, Object> fenced = new LinkedHashMap<>(c.fenceResults());
        o.put("lastFencing", fenced);
        o.put("publicNetworkWatch", c.publicNetworkInfo());
        o.put("recentFailures", st == null ? List.of() : st.recentFailures());
        List<Object> events = new ArrayList<>();
        for (AlertEvent e : c.recentEvents()) {
            events.add(map("time", e.time().toString(), "severity", e.severity().name().toLowerCase(), "kind", e.kind(),
                    "node", e.node(), "subject", e.subject(), "message", e.message()));
        }
        o.put("events", events);
        o.put("eventCounts", new LinkedHashMap<>(stats.events()));
        List<Object> sinks = new ArrayList<>();
        for (AlertLane.Stats a : c.alertSinks()) {
            sinks.add(map("name", a.name(), "filter", a.filter(), "delivered", a.delivered(), "failed", a.failed(),
                    "timedOut", a.timedOut(), "dropped", a.dropped(), "waiting", a.waiting(), "lastProblem",
                    a.lastProblem()));
        }
        o.put("alertSinks", sinks);
        return o;
    }

    private static List<String> notReady(EngineStatus st) {
        if (st == null) {
            return List.of("starting: the engine has not run yet");
        }
        List<String> r = new ArrayList<>();
        if (st.notReadyReason() != null) {
            r.add(st.notReadyReason());
        } else if (!st.settled()) {
            r.add("starting up: waiting for membership to settle");
        }
        if (!st.snapshot().quorum().has()) {
            r.add("no quorum: " + st.snapshot().quorum().detail());
        }
        return r;
    }

    private static Map<String, Object> quorum(ClusterService c, QuorumView q) {
        return map("configured", q.configured(), "has", q.has(), "votes", q.votes(), "total", q.total(),
                "detail", q.detail(), "tieBreaker", q.configured() ? c.tieBreakerInfo() : null,
                "lossStopMillis", q.lossStopMillis());
    }

    private static List<Object> nodes(ClusterService c, EngineStatus st, NodeStats stats) {
        long now = System.nanoTime() / 1_000_000; // the monotonic clock the node uses
        Map<String, MembershipTracker.PeerView> peers = c.peers();
        List<Object> list = new ArrayList<>();
        for (NodeView n : st.snapshot().nodes().values()) {
            boolean self = n.name().equals(c.nodeName());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("self", self);
            m.put("state", self ? "online" : n.membership().name().toLowerCase());
            m.put("quorate", n.report().quorate());
            List<Object> paths = new ArrayList<>();
            MembershipTracker.PeerView p = self ? null : peers.get(n.name());
            if (p != null) {
                for (MembershipTracker.PathView pv : p.paths()) {
                    Map<String, Object> pm = map("path", pv.path(), "up", pv.up(), "heardMillisAgo",
                            Math.max(0, now - pv.lastHeard()));
                    stats.links().stream().filter(l -> l.peer().equals(n.name()) && l.path().equals(pv.path())).findFirst()
                            .ifPresent(l -> pm.putAll(map("frames", l.frames(), "missedHeartbeats", l.missed(),
                                    "ackDelay", map("count", l.ackDelays(), "millisSum", l.ackDelaySum(),
                                            "lastMillis", l.lastAckDelay() < 0 ? null : l.lastAckDelay()))));
                    paths.add(pm);
                }
            }
            m.put("paths", paths);
            m.put("lost", n.loss() == null ? null : map("millisAgo", Math.max(0, now - n.loss().lostAt()),
                    "proof", n.loss().proof(), "fenceDevice", n.loss().fenceDevice()));
            PublicNetwork pub = n.report().publicNetwork();
            m.put("publicNetwork", map("state", pub.state().name().toLowerCase().replace('_', '-'), "detail", pub.detail()));
            list.add(m);
        }
        return list;
    }

    private static List<Object> paths(ClusterService c) {
        List<Object> list = new ArrayList<>();
        for (PathStatus p : c.paths().values()) {
            PathCounters k = p.counters();
            list.add(map("name", p.name(), "type", p.type(), "state", p.state().label(), "detail", p.detail(),
                    "counters", map("sent", k.sent.get(), "accepted", k.accepted.get(), "malformed", k.malformed.get(), "forged", k.forged.get(),
                            "replayed", k.replayed.get(), "duplicates", k.duplicates.get(), "wrongPath", k.wrongPath.get(),
                            "garbage", k.garbage.get(), "sendErrors", k.sendErrors.get(), "refused", k.refused.get())));
        }
        return list;
    }

    private static List<Object> groups(ClusterService c, EngineStatus st, NodeStats stats) {
        List<Object> list = new ArrayList<>();
        for (GroupDef g : c.document().groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", g.name());
            m.put("role", g.role().name().toLowerCase());
            m.put("maintenance", g.maintenance());
            m.put("failback", g.failback().name().toLowerCase());
            m.put("preferredNodes", g.preferredNodes());
            List<String> on = new ArrayList<>();
            List<Object> notes = new ArrayList<>();
            for (NodeView n : st.snapshot().nodes().values()) {
                GroupReport r = n.report().group(g.name());
                if (n.membership().isUp() && r.isActive()) {
                    on.add(n.name());
                }
                if (r.banned() || !r.note().isEmpty()) {
                    notes.add(map("node", n.name(), "banned", r.banned(), "note", r.note()));
                }
            }
            m.put("runningOn", on);
            Decision.Placement pl = st.decision().placements().get(g.name());
            m.put("placement", pl == null ? null : map("target", pl.target(), "reason", pl.reason()));
            GroupCounters.Counts gc = stats.groups().of(g.name());
            m.put("takenOver", map("failovers", gc.failovers(), "switchovers", gc.switchovers()));
            m.put("restarts", gc.restarts());
            List<Object> resources = new ArrayList<>();
            for (ResourceDef r : g.resources()) {
                Map<String, Object> states = new LinkedHashMap<>();
                for (NodeView n : st.snapshot().nodes().values()) {
                    ResourceState s = n.report().group(g.name()).resources().get(r.name());
                    if (s != null && n.membership().isUp()) {
                        states.put(n.name(), s.name().toLowerCase().replace('_', '-'));
                    }
                }
                EngineStatus.LocalLine ll = st.resources().get(r.name());
                Map<String, Object> times = new LinkedHashMap<>();
                stats.operations().stream().filter(t -> t.resource().equals(r.name())).forEach(t -> times.put(t.operation(),
                        map("count", t.count(), "failed", t.failed(), "millisSum", t.millisSum(), "lastMillis",
                                t.lastMillis(), "maxMillis", t.maxMillis())));
                resources.add(map("name", r.name(), "type", r.type(), "states", states,
                        "operation", ll == null ? null : ll.operation(),
                        "message", ll == null || ll.message().isEmpty() ? null : ll.message(),
                        "operationTimes", times));
            }
            m.put("resources", resources);
            m.put("notes", notes);
            list.add(m);
        }
        return list;
    }

    /** @return an ordered map of the key/value pairs (null values kept, as JSON null) */
    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
