package org.vigil.core.internal.alert;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;

/**
 * One alert sink's own delivery line: a bounded queue and one thread that belongs to this sink only, so a hung
 * sink (an SMTP server that accepts and never answers) stalls nothing but itself. An event that finds the queue
 * full is dropped and counted; a delivery that outlasts the timeout is interrupted and counted by
 * {@link #checkTimeout}, which the core's watchdog calls.
 */
public final class AlertLane {

    /** What the status shows of one sink. */
    public record Stats(String name, String filter, long delivered, long failed, long timedOut, long dropped,
            int waiting, String lastProblem) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AlertLane.class);
    private static final AlertEvent STOP = new AlertEvent(java.time.Instant.EPOCH, org.vigil.api.alert.Severity.INFO,
            "stop", "-", "-", "-");

    private final AlertSink sink;
    private final String name;
    private final AlertFilter filter;
    private final BlockingQueue<AlertEvent> queue;
    private final Thread thread;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile String lastProblem = "";
    /** System.nanoTime() when the current delivery began, 0 when idle. */
    private volatile long busySince;
    private volatile boolean overdue;
    private volatile long lastDropLog;

    /**
     * @param sink   the sink
     * @param name   its name for the log and status
     * @param filter what it receives and its limits
     */
    public AlertLane(AlertSink sink, String name, AlertFilter filter) {
        this.sink = sink;
        this.name = name;
        this.filter = filter;
        this.queue = new ArrayBlockingQueue<>(filter.queue() + 1); // +1: room for STOP
        this.thread = new Thread(this::run, "vigil-alert-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the sink */
    public AlertSink sink() {
        return sink;
    }

    /** Queues the event if the sink wants it; never blocks. @param e the event */
    public void offer(AlertEvent e) {
        if (!filter.accepts(e)) {
            return;
        }
        if (queue.size() >= filter.queue() || !queue.offer(e)) {
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastDropLog > 10_000_000_000L || n == 1) { // one line per 10 s, not one per event
                lastDropLog = now;
                LOG.warn("alert sink {}: dropped {} ({} dropped so far): {} events already wait{}", name, e.kind(), n,
                        filter.queue(), busySince != 0 ? " behind a delivery that has not returned" : "");
            }
        }
    }

    /**
     * Interrupts the delivery in progress if it outlasted the timeout, and counts it once.
     *
     * @param nowNanos {@link System#nanoTime()}
     */
    public void checkTimeout(long nowNanos) {
        long since = busySince;
        if (since != 0 && !overdue && nowNanos - since > filter.timeoutMillis() * 1_000_000) {
            overdue = true;
            timedOut.incrementAndGet();
            lastProblem = "a delivery took longer than " + filter.timeoutMillis() / 1000 + " s; interrupted";
            LOG.warn("alert sink {}: {}", name, lastProblem);
            thread.interrupt();
        }
    }

    private void run() {
        while (true) {
            AlertEvent e;
            try {
                e = queue.take();
            } catch (InterruptedException ex) {
                if (queue.contains(STOP)) {
                    return;
                }
                continue; // a late interrupt from the watchdog
            }
            if (e == STOP) {
                return;
            }
            overdue = false;
            busySince = Math.max(1, System.nanoTime());
            try {
                sink.deliver(e);
                if (!overdue) {
                    delivered.incrementAndGet();
                }
            } catch (Exception | LinkageError ex) {
                if (!overdue) {
                    failed.incrementAndGet();
                    lastProblem = ex.toString();
                    LOG.warn("alert sink {} failed to deliver {}: {}", name, e.kind(), ex.toString());
                }
            } finally {
                busySince = 0;
                Thread.interrupted();
            }
        }
    }

    /** Stops the thread after the delivery in progress; events still waiting are not delivered. */
    public void close() {
        queue.clear();
        queue.offer(STOP);
        thread.interrupt();
    }

    /** @return the counters */
    public Stats stats() {
        return new Stats(name, filter.describe(), delivered.get(), failed.get(), timedOut.get(), dropped.get(),
                queue.size(), lastProblem);
    }
}
