package org.vigil.api.alert;

/** How urgent an alert is. */
public enum Severity {
    /** Something worth knowing that needs no action (a path came back, a switchover completed). */
    INFO,
    /** Redundancy is reduced but the service runs (a path down, a resource restarted in place). */
    WARNING,
    /** The service was interrupted or is at risk (a node lost, a failover, a failed stop). */
    CRITICAL
}
