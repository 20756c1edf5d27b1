package org.vigil.plugin.support.alert;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.vigil.api.alert.AlertEvent;

/** How every alert sink words an event: the same subject, text and JSON whatever carries it. */
public final class AlertText {

    private AlertText() {
    }

    /** @return e.g. {@code [vigil] CRITICAL node-lost node1} */
    public static String subject(String prefix, AlertEvent e) {
        return (prefix.isEmpty() ? "" : prefix + " ") + e.severity() + " " + e.kind() + " " + e.subject();
    }

    /** @return the admin's sentence and the facts, one per line */
    public static String body(AlertEvent e) {
        return e.message() + "\n\n"
                + "severity: " + e.severity().name().toLowerCase(Locale.ROOT) + "\n"
                + "kind:     " + e.kind() + "\n"
                + "subject:  " + e.subject() + "\n"
                + "node:     " + e.node() + " (the node that reports it)\n"
                + "time:     " + DateTimeFormatter.ISO_INSTANT.format(e.time()) + "\n";
    }

    /** @return one line: {@code node-lost node1: the message} */
    public static String line(AlertEvent e) {
        return e.kind() + " " + e.subject() + ": " + e.message();
    }

    /** @return the event as a JSON object (the webhook's body; documented in docs/alerts.md) */
    public static String json(AlertEvent e) {
        return "{\"time\":" + quote(DateTimeFormatter.ISO_INSTANT.format(e.time()))
                + ",\"timeMillis\":" + e.time().toEpochMilli()
                + ",\"severity\":" + quote(e.severity().name().toLowerCase(Locale.ROOT))
                + ",\"kind\":" + quote(e.kind())
                + ",\"node\":" + quote(e.node())
                + ",\"subject\":" + quote(e.subject())
                + ",\"message\":" + quote(e.message()) + "}";
    }

    /** @return the RFC 5322 date of the event */
    public static String mailDate(AlertEvent e) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(e.time().atOffset(ZoneOffset.UTC));
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
