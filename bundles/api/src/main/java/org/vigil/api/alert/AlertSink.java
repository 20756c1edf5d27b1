package org.vigil.api.alert;

/**
 * A destination for cluster events (mail, SNMP trap, a script), registered as an OSGi service. The core
 * calls {@link #deliver} on a thread of this sink only, guarded by a timeout and fed by a bounded queue; a slow,
 * hung or failing sink never delays the cluster, and the events it could not take are counted as dropped.
 */
public interface AlertSink {

    /**
     * Service property of a sink registered directly as a service: the least severity delivered ({@code INFO},
     * {@code WARNING} or {@code CRITICAL}; default {@code INFO}, everything).
     */
    String MIN_SEVERITY = "alert.min-severity";

    /** Service property: the event kinds delivered, comma-separated (default: every kind). */
    String KINDS = "alert.kinds";

    /** Service property: seconds one delivery may take before the core gives up on it (default 10). */
    String TIMEOUT = "alert.timeout";

    /** Service property: events waiting for this sink before new ones are dropped and counted (default 100). */
    String QUEUE = "alert.queue";

    /** @return a name for the log and status */
    String name();

    /**
     * Delivers one event.
     *
     * @param event the event
     * @throws Exception when delivery failed; the core logs it and goes on
     */
    void deliver(AlertEvent event) throws Exception;
}
