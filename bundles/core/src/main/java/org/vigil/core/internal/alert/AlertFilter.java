package org.vigil.core.internal.alert;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.Severity;

/**
 * What one alert sink receives and how patiently: its filters (least severity, event kinds) and its limits
 * (seconds per delivery, events waiting). Read from a sink configuration or a sink service's properties.
 *
 * @param minSeverity    the least severity delivered
 * @param kinds          the kinds delivered; empty means every kind
 * @param timeoutMillis  how long one delivery may take
 * @param queue          how many events may wait; more are dropped and counted
 */
public record AlertFilter(Severity minSeverity, Set<String> kinds, long timeoutMillis, int queue) {

    /** Defaults: every event, 10 s per delivery, 100 waiting. */
    public static final AlertFilter DEFAULT = new AlertFilter(Severity.INFO, Set.of(), 10_000, 100);

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]*");

    /** Canonical constructor. */
    public AlertFilter {
        kinds = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(kinds)); // in the admin's order, for the status
    }

    /** @return whether the sink wants this event */
    public boolean accepts(AlertEvent e) {
        return e.severity().compareTo(minSeverity) >= 0 && (kinds.isEmpty() || kinds.contains(e.kind()));
    }

    /**
     * Reads the filter from configuration keys.
     *
     * @param get      the value of a key, or null
     * @param severity the key of the least severity
     * @param kinds    the key of the kinds
     * @param timeout  the key of the timeout (seconds)
     * @param queue    the key of the queue length
     * @return the filter
     * @throws IllegalArgumentException naming the key and the accepted values when a value is wrong
     */
    public static AlertFilter parse(Map<String, ?> get, String severity, String kinds, String timeout, String queue) {
        Severity min = DEFAULT.minSeverity();
        Object s = get.get(severity);
        if (s != null && !s.toString().isBlank()) {
            try {
                min = Severity.valueOf(s.toString().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(severity + ": '" + s + "' is not a severity (info, warning or critical)");
            }
        }
        Set<String> ks = new LinkedHashSet<>();
        Object k = get.get(kinds);
        if (k != null) {
            for (String one : k.toString().split("[,\\s]+")) {
                if (one.isEmpty()) {
                    continue;
                }
                if (!KIND.matcher(one).matches()) {
                    throw new IllegalArgumentException(kinds + ": '" + one + "' is not an event kind (such as node-lost, "
                            + "group-failover, path-down)");
                }
                ks.add(one);
            }
        }
        long t = number(get.get(timeout), timeout, DEFAULT.timeoutMillis() / 1000, 1, 300) * 1000;
        int q = (int) number(get.get(queue), queue, DEFAULT.queue(), 1, 10_000);
        return new AlertFilter(min, ks, t, q);
    }

    private static long number(Object v, String key, long dflt, long min, long max) {
        if (v == null || v.toString().isBlank()) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + ": " + n + " must be from " + min + " to " + max);
        }
        return n;
    }

    /** @return the filter for the status, e.g. {@code warning+ node-lost,group-failover, 10 s, queue 100} */
    public String describe() {
        return minSeverity.name().toLowerCase(Locale.ROOT) + "+" + (kinds.isEmpty() ? "" : " " + String.join(",", kinds))
                + ", timeout " + timeoutMillis / 1000 + " s, queue " + queue;
    }
}
