package org.vigil.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusMetricsTest {

    /** What vigil:status --json prints on node2 of a two-node cluster after web failed over to it (docs/cli.md). */
    static final String STATUS = """
            {
              "schema": "vigil-status/1", "time": "2026-12-07T19:00:00Z", "node": "node2", "incarnation": 42,
              "documentVersion": 7, "maintenance": false,
              "health": { "state": "ok", "exitCode": 0, "reasons": [] },
              "ready": true, "settled": true, "notReadyReasons": [],
              "quorum": { "configured": true, "has": true, "votes": 2, "total": 3, "detail": "2 of 3", "tieBreaker": "ping",
                          "lossStopMillis": 900 },
              "nodes": [
                { "name": "node1", "self": false, "state": "lost", "quorate": false,
                  "paths": [ { "path": "lan", "up": false, "heardMillisAgo": 65000, "frames": 1200, "missedHeartbeats": 650,
                               "ackDelay": { "count": 1190, "millisSum": 59500, "lastMillis": 48 } } ],
                  "lost": { "millisAgo": 64000, "proof": null, "fenceDevice": false },
                  "publicNetwork": { "state": "unknown", "detail": "" } },
                { "name": "node2", "self": true, "state": "online", "quorate": true, "paths": [], "lost": null,
                  "publicNetwork": { "state": "unknown", "detail": "" } }
              ],
              "paths": [ { "name": "lan", "type": "udp", "state": "open", "detail": "",
                           "counters": { "sent": 1500, "accepted": 1200, "malformed": 0, "forged": 3, "replayed": 1,
                                         "duplicates": 0, "wrongPath": 0, "garbage": 17, "sendErrors": 2, "refused": 0 } } ],
              "groups": [ { "name": "web", "role": "started", "maintenance": false, "failback": "manual",
                            "preferredNodes": ["node1", "node2"], "runningOn": ["node2"],
                            "placement": { "target": "node2", "reason": "node1 lost" },
                            "takenOver": { "failovers": 1, "switchovers": 0 }, "restarts": 2,
                            "resources": [ { "name": "web-ip", "type": "ip", "states": { "node2": "running" },
                                             "operation": null, "message": null,
                                             "operationTimes": { "monitor": { "count": 4, "failed": 1, "millisSum": 120,
                                                                              "lastMillis": 25, "maxMillis": 60 } } } ],
                            "notes": [] } ],
              "fenceDevices": [], "lastFencing": {}, "publicNetworkWatch": "", "recentFailures": [],
              "events": [ { "time": "2026-12-07T18:59:00Z", "severity": "critical", "kind": "node-lost", "node": "node2",
                            "subject": "node1", "message": "node \\"node1\\" lost" } ],
              "eventCounts": { "node-lost": 1, "path-down": 3 },
              "alertSinks": [ { "name": "admins", "filter": "warning+", "delivered": 4, "failed": 1, "timedOut": 0, "dropped": 2,
                                "waiting": 1, "lastProblem": "" } ]
            }
            """;

    @Test
    void mapsNodesPathsGroupsOperationsEventsAndSinks() {
        String text = MetricsCommand.render(STATUS);
        assertThat(text).contains(
                "vigil_node_info{incarnation=\"42\",node=\"node2\"} 1.0",
                "vigil_health 0.0",
                "vigil_quorum 1.0",
                "vigil_node_state{node=\"node1\",state=\"lost\"} 1.0",
                "vigil_node_state{node=\"node1\",state=\"online\"} 0.0",
                "vigil_node_state{node=\"node2\",state=\"online\"} 1.0",
                "vigil_peer_path_up{path=\"lan\",peer=\"node1\"} 0.0",
                "vigil_peer_path_heard_seconds{path=\"lan\",peer=\"node1\"} 65.0",
                "vigil_peer_path_frames_total{path=\"lan\",peer=\"node1\"} 1200.0",
                "vigil_peer_path_missed_heartbeats_total{path=\"lan\",peer=\"node1\"} 650.0",
                "vigil_peer_path_ack_delay_seconds_count{path=\"lan\",peer=\"node1\"} 1190",
                "vigil_peer_path_ack_delay_seconds_sum{path=\"lan\",peer=\"node1\"} 59.5",
                "vigil_peer_path_ack_delay_last_seconds{path=\"lan\",peer=\"node1\"} 0.048",
                "vigil_path_open{path=\"lan\",type=\"udp\"} 1.0",
                "vigil_path_frames_sent_total{path=\"lan\"} 1500.0",
                "vigil_path_frames_received_total{path=\"lan\"} 1200.0",
                "vigil_path_frames_rejected_total{path=\"lan\",reason=\"forged\"} 3.0",
                "vigil_path_frames_rejected_total{path=\"lan\",reason=\"replayed\"} 1.0",
                "vigil_path_send_errors_total{path=\"lan\"} 2.0",
                "vigil_group_running{group=\"web\",node=\"node2\"} 1.0",
                "vigil_group_placement{group=\"web\",target=\"node2\"} 1.0",
                "vigil_group_takeovers_total{group=\"web\",kind=\"failover\"} 1.0",
                "vigil_group_takeovers_total{group=\"web\",kind=\"switchover\"} 0.0",
                "vigil_group_restarts_total{group=\"web\"} 2.0",
                "vigil_resource_state{group=\"web\",node=\"node2\",resource=\"web-ip\",state=\"running\"} 1.0",
                "vigil_resource_operation_seconds_count{group=\"web\",operation=\"monitor\",resource=\"web-ip\"} 4",
                "vigil_resource_operation_seconds_sum{group=\"web\",operation=\"monitor\",resource=\"web-ip\"} 0.12",
                "vigil_resource_operation_failures_total{group=\"web\",operation=\"monitor\",resource=\"web-ip\"} 1.0",
                "vigil_resource_operation_max_seconds{group=\"web\",operation=\"monitor\",resource=\"web-ip\"} 0.06",
                "vigil_events_total{kind=\"node-lost\"} 1.0",
                "vigil_events_total{kind=\"path-down\"} 3.0",
                "vigil_alert_sink_delivered_total{sink=\"admins\"} 4.0",
                "vigil_alert_sink_dropped_total{sink=\"admins\"} 2.0",
                "vigil_alert_sink_waiting{sink=\"admins\"} 1.0",
                "# TYPE vigil_group_takeovers_total counter",
                "# TYPE vigil_resource_operation_seconds summary");
    }

    @Test
    void aStatusOfAnOlderCoreWithoutTheCountersStillMaps() {
        String old = STATUS.replace("\"sent\": 1500, ", "").replaceAll("\"takenOver\": \\{[^}]*\\}, \"restarts\": 2,", "")
                .replace("\"eventCounts\"", "\"x\"").replace("\"alertSinks\"", "\"y\"");
        String text = MetricsCommand.render(old);
        assertThat(text).contains("vigil_group_running{group=\"web\",node=\"node2\"} 1.0")
                .doesNotContain("vigil_group_takeovers").doesNotContain("vigil_path_frames_sent");
    }

    @Test
    void anythingButAStatusIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> MetricsCommand.render("Command not found: vigil:status"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON at offset 0");
        assertThatThrownBy(() -> MetricsCommand.render("{\"schema\": \"vigil-status/2\"}"))
                .hasMessageContaining("schema vigil-status/2, expected vigil-status/1");
        assertThatThrownBy(() -> MetricsCommand.render(STATUS.replace("\"exitCode\": 0", "\"exitCode\": \"zero\"")))
                .hasMessageContaining("health.exitCode").hasMessageContaining("zero");
    }
}
