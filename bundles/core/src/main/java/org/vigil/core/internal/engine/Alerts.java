package org.vigil.core.internal.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.model.Text;

/**
 * Raises cluster events: logs each one, keeps the latest for the status, and hands them to every alert
 * sink on a worker thread, so a slow or failing sink never delays the cluster.
 */
public final class Alerts {

    private static final Logger LOG = LoggerFactory.getLogger("org.vigil.events");
    private static final int KEEP = 50;

    private final String node;
    private final ExecutorService delivery;
    private final List<AlertSink> sinks = new CopyOnWriteArrayList<>();
    private final ArrayDeque<AlertEvent> recent = new ArrayDeque<>();

    /** @param node this node's name @param delivery where sinks are called */
    /** The longest message an event carries (characters); the log has the whole. */
    static final int EVENT_MAX = 1000;

    public Alerts(String node, ExecutorService delivery) {
        this.node = node;
        this.delivery = delivery;
    }

    /** @param s a sink to deliver to */
    public void addSink(AlertSink s) {
        sinks.add(s);
    }

    /** @param s a sink to stop delivering to */
    public void removeSink(AlertSink s) {
        sinks.remove(s);
    }

    /**
     * @param severity how urgent
     * @param kind     the event kind, e.g. {@code node-lost}
     * @param subject  what it is about
     * @param message  a sentence for the admin
     */
    public void raise(Severity severity, String kind, String subject, String message) {
        // The log keeps the whole message (escaped); the event, shown in vigil:status and sent to sinks, a summary.
        String full = Text.escape(message);
        AlertEvent e = new AlertEvent(Instant.now(), severity, kind, node, subject,
                Text.summary(message, EVENT_MAX));
        switch (severity) {
            case CRITICAL -> LOG.error("[{}] {}: {}", kind, subject, full);
            case WARNING -> LOG.warn("[{}] {}: {}", kind, subject, full);
            default -> LOG.info("[{}] {}: {}", kind, subject, full);
        }
        synchronized (recent) {
            recent.addLast(e);
            while (recent.size() > KEEP) {
                recent.removeFirst();
            }
        }
        for (AlertSink sink : sinks) {
            try {
                delivery.execute(() -> {
                    try {
                        sink.deliver(e);
                    } catch (Exception | LinkageError ex) {
                        LOG.warn("alert sink {} failed to deliver {}: {}", safeName(sink), kind, ex.toString());
                    }
                });
            } catch (RejectedExecutionException ex) {
                LOG.warn("alert sink {} skipped for {}: no worker free", safeName(sink), kind);
            }
        }
    }

    private static String safeName(AlertSink s) {
        try {
            return s.name();
        } catch (RuntimeException e) {
            return s.getClass().getName();
        }
    }

    /** @return the latest events, oldest first */
    public List<AlertEvent> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }
}
