package org.vigil.alert.command.internal;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.vigil.api.alert.AlertEvent;

/**
 * An event as the environment of a Pacemaker alert agent (Pacemaker Explained, "Alert agents"), so that scripts
 * written for Pacemaker ({@code alert_file.sh}, {@code alert_smtp.sh}, {@code alert_snmp.sh}) work unchanged:
 * node events ({@code node-*}) are {@code CRM_alert_kind=node}, fencing events {@code fencing}, resource events
 * ({@code start-failed}, {@code stop-failed}, {@code resource-restart}, {@code group-failover}) {@code resource};
 * every other event is {@code CRM_alert_kind=vigil}, which Pacemaker scripts ignore or log as unhandled. The Vigil
 * fields come on top as {@code VIGIL_alert_*}.
 */
final class PacemakerEnvironment {

    /** The Pacemaker alert interface these variables follow. */
    static final String VERSION = "2.1.0";

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);

    private PacemakerEnvironment() {
    }

    static Map<String, String> of(AlertEvent e, String recipient, long sequence, ZoneId zone) {
        Map<String, String> env = new LinkedHashMap<>();
        String kind = e.kind();
        env.put("CRM_alert_version", VERSION);
        env.put("CRM_alert_recipient", recipient);
        env.put("CRM_alert_node_sequence", Long.toString(sequence));
        env.put("CRM_alert_timestamp", TIMESTAMP.format(e.time().atZone(zone)));
        env.put("CRM_alert_timestamp_epoch", Long.toString(e.time().getEpochSecond()));
        env.put("CRM_alert_timestamp_usec", Long.toString(e.time().getNano() / 1000));
        env.put("CRM_alert_desc", e.message());
        if (kind.startsWith("node-")) {
            env.put("CRM_alert_kind", "node");
            env.put("CRM_alert_node", e.subject());
            env.put("CRM_alert_nodeid", "");
            // Pacemaker's node descriptions: "member" when a node joins, "lost" when it leaves
            env.put("CRM_alert_desc", switch (kind) {
                case "node-online" -> "member";
                case "node-lost" -> "lost";
                default -> kind.substring(5);
            });
        } else if (kind.startsWith("fence")) {
            env.put("CRM_alert_kind", "fencing");
            env.put("CRM_alert_node", e.subject());
            env.put("CRM_alert_task", "off");
            env.put("CRM_alert_rc", kind.equals("fence-failed") ? "1" : "0");
        } else if (kind.equals("start-failed") || kind.equals("stop-failed") || kind.equals("resource-restart")
                || kind.equals("group-failover")) {
            env.put("CRM_alert_kind", "resource");
            env.put("CRM_alert_node", e.node());
            env.put("CRM_alert_rsc", e.subject());
            env.put("CRM_alert_task", switch (kind) {
                case "start-failed" -> "start";
                case "stop-failed" -> "stop";
                default -> "monitor";
            });
            env.put("CRM_alert_rc", "1"); // OCF_ERR_GENERIC: each of these reports a failure
            env.put("CRM_alert_target_rc", "0");
            env.put("CRM_alert_status", "0");
            env.put("CRM_alert_interval", "0");
        } else {
            env.put("CRM_alert_kind", "vigil");
            env.put("CRM_alert_node", e.node());
        }
        env.put("VIGIL_alert_kind", kind);
        env.put("VIGIL_alert_severity", e.severity().name().toLowerCase(Locale.ROOT));
        env.put("VIGIL_alert_subject", e.subject());
        env.put("VIGIL_alert_node", e.node());
        env.put("VIGIL_alert_message", e.message());
        return env;
    }
}
