package org.vigil.metrics.internal;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;

/**
 * From the status object of {@code vigil:status --json} (schema {@value #SCHEMA}, docs/cli.md) to Prometheus
 * metrics: pure, so every mapping is unit-tested. The metric names and labels are documented in the bundle's README;
 * counters count since the node started (Prometheus's {@code rate()} and {@code increase()} handle the reset at a
 * restart).
 */
final class StatusMetrics {

    static final String SCHEMA = "vigil-status/1";
    /** The node states of the status, each a sample of {@code vigil_node_state} (1 for the current one). */
    static final List<String> NODE_STATES = List.of("online", "suspect", "lost", "unknown");
    /** The rejection counters of a path's status, as the {@code reason} label. */
    private static final Map<String, String> REJECTED = Map.of("malformed", "malformed", "forged", "forged",
            "replayed", "replayed", "duplicates", "duplicate", "wrongPath", "wrong_path", "refused", "refused");

    private StatusMetrics() {
    }

    /**
     * @param status the parsed status object
     * @return its metrics
     * @throws IllegalArgumentException when it is not a status of schema {@value #SCHEMA}, naming what is wrong
     */
    static MetricSnapshots of(Object status) {
        Map<String, Object> s = object(status, "the status");
        if (!SCHEMA.equals(s.get("schema"))) {
            throw new IllegalArgumentException("the status has schema " + s.get("schema") + ", expected " + SCHEMA);
        }
        Families f = new Families();
        f.gauge("vigil_node_info", "This node: its name and incarnation", 1, "node", text(s.get("node")),
                "incarnation", text(s.get("incarnation")));
        Map<String, Object> health = object(s.get("health"), "health");
        f.gauge("vigil_health", "This node's health: 0 ok, 1 degraded, 2 not ready (bin/vigil's exit status)",
                number(health, "exitCode", "health"));
        f.gauge("vigil_ready", "1 when this node is ready (settled, nothing missing)", flag(s.get("ready")));
        f.gauge("vigil_maintenance", "1 in cluster maintenance mode (Vigil takes no action)", flag(s.get("maintenance")));
        f.gauge("vigil_document_version", "The version of the cluster document this node holds",
                number(s, "documentVersion", "status"));
        if (s.get("quorum") instanceof Map<?, ?> q) {
            f.gauge("vigil_quorum", "1 while this node's partition has quorum", flag(q.get("has")));
            f.gauge("vigil_quorum_votes", "Votes this node's partition holds", number(q, "votes", "quorum"));
            f.gauge("vigil_quorum_votes_total", "Votes in the cluster", number(q, "total", "quorum"));
        }
        for (Object o : list(s.get("nodes"), "nodes")) {
            nodeMetrics(f, object(o, "a node"));
        }
        for (Object o : list(s.get("paths"), "paths")) {
            pathMetrics(f, object(o, "a path"));
        }
        for (Object o : list(s.get("groups"), "groups")) {
            groupMetrics(f, object(o, "a group"));
        }
        if (s.get("eventCounts") instanceof Map<?, ?> events) {
            events.forEach((k, v) -> f.counter("vigil_events", "Cluster events this node raised, by kind",
                    number(events, k.toString(), "eventCounts"), "kind", text(k)));
        }
        for (Object o : list(s.get("alertSinks"), "alertSinks")) {
            Map<String, Object> a = object(o, "an alert sink");
            String sink = text(a.get("name"));
            f.counter("vigil_alert_sink_delivered", "Events the alert sink delivered", number(a, "delivered", "alertSinks[]"),
                    "sink", sink);
            f.counter("vigil_alert_sink_failed", "Events the alert sink failed to deliver", number(a, "failed", "alertSinks[]"),
                    "sink", sink);
            f.counter("vigil_alert_sink_timed_out", "Deliveries that took longer than the sink's timeout",
                    number(a, "timedOut", "alertSinks[]"), "sink", sink);
            f.counter("vigil_alert_sink_dropped", "Events dropped (queue full or over the sink's rate)",
                    number(a, "dropped", "alertSinks[]"), "sink", sink);
            f.gauge("vigil_alert_sink_waiting", "Events waiting in the sink's queue", number(a, "waiting", "alertSinks[]"),
                    "sink", sink);
        }
        return f.build();
    }

    private static void nodeMetrics(Families f, Map<String, Object> n) {
        String node = text(n.get("name"));
        String state = text(n.get("state"));
        for (String st : NODE_STATES) {
            f.gauge("vigil_node_state", "Each node as this node sees it: 1 for its current state", st.equals(state) ? 1 : 0,
                    "node", node, "state", st);
        }
        for (Object o : list(n.get("paths"), "a node's paths")) {
            Map<String, Object> p = object(o, "a node's path");
            String path = text(p.get("path"));
            f.gauge("vigil_peer_path_up", "1 while the peer is heard on the path", flag(p.get("up")), "peer", node, "path", path);
            f.gauge("vigil_peer_path_heard_seconds", "Seconds since the peer was last heard on the path",
                    number(p, "heardMillisAgo", "paths[]") / 1000.0, "peer", node, "path", path);
            if (p.containsKey("frames")) {
                f.counter("vigil_peer_path_frames", "Frames of the peer counted on the path", number(p, "frames", "paths[]"),
                        "peer", node, "path", path);
                f.counter("vigil_peer_path_missed_heartbeats", "Heartbeats of the peer missed on the path "
                        + "(estimated from silences longer than 1.5 intervals)", number(p, "missedHeartbeats", "paths[]"),
                        "peer", node, "path", path);
            }
            if (p.get("ackDelay") instanceof Map<?, ?> d) {
                f.summary("vigil_peer_path_ack_delay_seconds", "From sending a heartbeat to the peer's first frame on "
                        + "the path acknowledging it: round trip plus the peer's wait for its next frame",
                        (long) number(d, "count", "ackDelay"), number(d, "millisSum", "ackDelay") / 1000.0, "peer", node, "path", path);
                if (d.get("lastMillis") != null) {
                    f.gauge("vigil_peer_path_ack_delay_last_seconds", "The last acknowledgement delay measured",
                            number(d, "lastMillis", "ackDelay") / 1000.0, "peer", node, "path", path);
                }
            }
        }
    }

    private static void pathMetrics(Families f, Map<String, Object> p) {
        String path = text(p.get("name"));
        f.gauge("vigil_path_open", "1 while this node's heartbeat path is open", "open".equals(p.get("state")) ? 1 : 0,
                "path", path, "type", text(p.get("type")));
        Map<String, Object> c = object(p.get("counters"), "a path's counters");
        if (c.containsKey("sent")) {
            f.counter("vigil_path_frames_sent", "Frames this node sent on the path", number(c, "sent", "counters"), "path", path);
        }
        f.counter("vigil_path_frames_received", "Authentic, fresh frames received on the path", number(c, "accepted", "counters"),
                "path", path);
        REJECTED.forEach((field, reason) -> {
            if (c.containsKey(field)) {
                f.counter("vigil_path_frames_rejected", "Frames received on the path and not counted, by reason",
                        number(c, field, "counters"), "path", path, "reason", reason);
            }
        });
        f.counter("vigil_path_send_errors", "Frames that could not be sent on the path", number(c, "sendErrors", "counters"),
                "path", path);
        f.counter("vigil_path_garbage_bytes", "Bytes the transport discarded before they made a frame",
                number(c, "garbage", "counters"), "path", path);
    }

    private static void groupMetrics(Families f, Map<String, Object> g) {
        String group = text(g.get("name"));
        for (Object on : list(g.get("runningOn"), "runningOn")) {
            f.gauge("vigil_group_running", "1 for each node a group runs on (more than one node: look at once)", 1,
                    "group", group, "node", text(on));
        }
        if (g.get("placement") instanceof Map<?, ?> pl && pl.get("target") != null) {
            f.gauge("vigil_group_placement", "Where the policy places the group", 1, "group", group, "target",
                    text(pl.get("target")));
        }
        f.gauge("vigil_group_maintenance", "1 while the group is in maintenance", flag(g.get("maintenance")), "group", group);
        if (g.get("takenOver") instanceof Map<?, ?> t) {
            f.counter("vigil_group_takeovers", "Times this node took the group over from another node, by kind",
                    number(t, "failovers", "operationTimes"), "group", group, "kind", "failover");
            f.counter("vigil_group_takeovers", "Times this node took the group over from another node, by kind",
                    number(t, "switchovers", "operationTimes"), "group", group, "kind", "switchover");
        }
        if (g.containsKey("restarts")) {
            f.counter("vigil_group_restarts", "Restarts in place of the group on this node after a failed monitor",
                    number(g, "restarts", "groups[]"), "group", group);
        }
        for (Object o : list(g.get("resources"), "a group's resources")) {
            Map<String, Object> r = object(o, "a resource");
            String resource = text(r.get("name"));
            if (r.get("states") instanceof Map<?, ?> states) {
                states.forEach((node, st) -> f.gauge("vigil_resource_state", "1 for a resource's state on each node up",
                        1, "group", group, "resource", resource, "node", text(node), "state", text(st)));
            }
            if (r.get("operationTimes") instanceof Map<?, ?> times) {
                times.forEach((op, v) -> {
                    Map<String, Object> t = object(v, "an operation's times");
                    String[] labels = {"group", group, "resource", resource, "operation", text(op)};
                    f.summary("vigil_resource_operation_seconds", "How long the resource's operations took on this node",
                            (long) number(t, "count", "operationTimes"), number(t, "millisSum", "operationTimes") / 1000.0, labels);
                    f.counter("vigil_resource_operation_failures", "Operations that did not succeed",
                            number(t, "failed", "operationTimes"), labels);
                    f.gauge("vigil_resource_operation_last_seconds", "How long the last operation took",
                            number(t, "lastMillis", "operationTimes") / 1000.0, labels);
                    f.gauge("vigil_resource_operation_max_seconds", "The longest operation since start",
                            number(t, "maxMillis", "operationTimes") / 1000.0, labels);
                });
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(what + " is not a JSON object: " + o);
    }

    private static List<?> list(Object o, String what) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException(what + " is not a JSON array: " + o);
    }

    private static double number(Map<?, ?> m, String key, String where) {
        if (m.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(where + "." + key + " must be a number, not " + m.get(key));
    }

    private static double flag(Object o) {
        return Boolean.TRUE.equals(o) ? 1 : 0;
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }
}
