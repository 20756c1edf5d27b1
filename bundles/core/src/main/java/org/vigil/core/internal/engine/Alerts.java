package org.vigil.core.internal.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.alert.AlertFilter;
import org.vigil.core.internal.alert.AlertLane;
import org.vigil.core.internal.model.Text;

/**
 * Raises cluster events: logs each one, keeps the latest for the status, and hands them to every alert sink
 * through the sink's own {@link AlertLane} (its own thread, a bounded queue, a timeout), so a slow, hung or failing
 * sink never delays the cluster: raising never blocks and never uses the engine's workers.
 */
public final class Alerts {

    private static final Logger LOG = LoggerFactory.getLogger("org.vigil.events");
    private static final int KEEP = 50;

    private final String node;
    private final Map<AlertSink, AlertLane> lanes = new ConcurrentHashMap<>();
    private final ArrayDeque<AlertEvent> recent = new ArrayDeque<>();
    private final org.vigil.core.internal.stats.EventCounts counts = new org.vigil.core.internal.stats.EventCounts();
    /** Interrupts overdue deliveries; started with the first sink (a node without sinks has no alert thread). */
    private ScheduledExecutorService watchdog;

    /** The longest message an event carries (characters); the log has the whole. */
    static final int EVENT_MAX = 1000;

    /** @param node this node's name */
    public Alerts(String node) {
        this.node = node;
    }

    /** @param s a sink to deliver every event to, with the default filter and limits */
    public void addSink(AlertSink s) {
        addSink(s, AlertFilter.DEFAULT);
    }

    /** @param s a sink to deliver to @param filter what it receives and its limits */
    public synchronized void addSink(AlertSink s, AlertFilter filter) {
        if (watchdog == null) {
            watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vigil-alert-watchdog");
                t.setDaemon(true);
                return t;
            });
            watchdog.scheduleWithFixedDelay(() -> {
                long now = System.nanoTime();
                lanes.values().forEach(l -> l.checkTimeout(now));
            }, 100, 100, TimeUnit.MILLISECONDS);
        }
        AlertLane old = lanes.put(s, new AlertLane(s, safeName(s), filter));
        if (old != null) {
            old.close();
        }
    }

    /** @param s a sink to stop delivering to */
    public void removeSink(AlertSink s) {
        AlertLane l = lanes.remove(s);
        if (l != null) {
            l.close();
        }
    }

    /** Stops every sink's thread and the watchdog. */
    public synchronized void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
            watchdog = null;
        }
        lanes.values().forEach(AlertLane::close);
        lanes.clear();
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
        counts.count(kind);
        synchronized (recent) {
            recent.addLast(e);
            while (recent.size() > KEEP) {
                recent.removeFirst();
            }
        }
        lanes.values().forEach(l -> l.offer(e));
    }

    /** @return how many events of each kind were raised since start, by kind */
    public java.util.Map<String, Long> eventCounts() {
        return counts.snapshot();
    }

    /** @return each sink's counters, by name */
    public List<AlertLane.Stats> sinkStats() {
        return lanes.values().stream().map(AlertLane::stats)
                .sorted(java.util.Comparator.comparing(AlertLane.Stats::name)).toList();
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
