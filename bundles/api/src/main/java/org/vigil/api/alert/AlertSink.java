package org.vigil.api.alert;

/**
 * A destination for cluster events (mail, SNMP trap, a script), registered as an OSGi service. The core
 * calls {@link #deliver} on its own thread, guarded by a timeout; a slow or failing sink never delays
 * the cluster.
 */
public interface AlertSink {

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
