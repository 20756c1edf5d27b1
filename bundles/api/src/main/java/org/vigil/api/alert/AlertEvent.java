package org.vigil.api.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * One cluster event delivered to alert sinks.
 *
 * @param time     when it happened (wall clock of the reporting node)
 * @param severity how urgent it is
 * @param kind     a stable identifier of the kind of event, for filtering (for example {@code node-lost},
 *                 {@code path-down}, {@code group-failover}, {@code stop-failed})
 * @param node     the node that reports it
 * @param subject  what it is about: a node, path, group or resource name
 * @param message  a sentence for the admin
 */
public record AlertEvent(Instant time, Severity severity, String kind, String node, String subject,
        String message) {

    /** Canonical constructor; every field is required. */
    public AlertEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }
}
