package org.vigil.alert.syslog.internal;

import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.Severity;

/** An alert as an RFC 5424 syslog message. */
final class Rfc5424 {

    /** The structured data element's id: 32473 is the enterprise number reserved for examples (RFC 5612). */
    static final String SD_ID = "vigil@32473";

    static final Map<String, Integer> FACILITIES = Map.ofEntries(Map.entry("user", 1), Map.entry("daemon", 3),
            Map.entry("auth", 4), Map.entry("local0", 16), Map.entry("local1", 17), Map.entry("local2", 18),
            Map.entry("local3", 19), Map.entry("local4", 20), Map.entry("local5", 21), Map.entry("local6", 22),
            Map.entry("local7", 23));

    /** TIME-SECFRAC has at most 6 digits (RFC 5424 6.2.3); a longer one garbles rsyslog's timestamps. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private Rfc5424() {
    }

    /** @return the syslog severity: crit, warning, info */
    static int severity(Severity s) {
        return switch (s) {
            case CRITICAL -> 2;
            case WARNING -> 4;
            case INFO -> 6;
        };
    }

    static String severityName(Severity s) {
        return switch (s) {
            case CRITICAL -> "crit";
            case WARNING -> "warning";
            case INFO -> "info";
        };
    }

    /** @return {@code <PRI>1 TIMESTAMP HOST APP - MSGID [SD] MSG} */
    static String format(AlertEvent e, int facility, String appName, String hostname) {
        return "<" + (facility * 8 + severity(e.severity())) + ">1 " + TIMESTAMP.format(e.time()) + " "
                + field(hostname, 255) + " " + field(appName, 48) + " - " + field(e.kind(), 32) + " "
                + structuredData(e) + " " + e.message().replaceAll("[\\r\\n]+", " ");
    }

    static String structuredData(AlertEvent e) {
        return "[" + SD_ID + " kind=\"" + param(e.kind()) + "\" subject=\"" + param(e.subject()) + "\" node=\""
                + param(e.node()) + "\" severity=\"" + e.severity().name().toLowerCase(Locale.ROOT) + "\"]";
    }

    /** Header fields are printable US-ASCII without spaces; "-" when empty. */
    private static String field(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c > 32 && c < 127 && sb.length() < max) {
                sb.append(c);
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static String param(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]");
    }
}
