package org.vigil.core.internal.engine;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether this node may start anything yet: not while it is not ready (no cluster key, a bad setting, no open
 * heartbeat path, ...), and not before its start-up wait is over. Set from configuration threads, read by the engine
 * thread each tick.
 */
final class StartGate {

    private final long startedAt;
    private final LongSupplier intervalMillis;
    private volatile long settleMillis;
    private volatile String notReadyReason;
    private volatile Supplier<String> readinessCheck = () -> null;
    private volatile LongSupplier listeningSince = () -> Long.MIN_VALUE;
    private volatile LongSupplier unansweredAt = () -> Long.MIN_VALUE;

    /**
     * @param startedAt      when the engine was made (monotonic ms)
     * @param settleMillis   the start-up wait
     * @param intervalMillis the heartbeat interval, read when needed (it may be reconfigured)
     */
    StartGate(long startedAt, long settleMillis, LongSupplier intervalMillis) {
        this.startedAt = startedAt;
        this.settleMillis = settleMillis;
        this.intervalMillis = intervalMillis;
    }

    long settleMillis() {
        return settleMillis;
    }

    void setSettleMillis(long millis) {
        this.settleMillis = millis;
    }

    void setNotReady(String reason) {
        this.notReadyReason = reason;
    }

    void setReadinessCheck(Supplier<String> check) {
        this.readinessCheck = check;
    }

    void setListeningSince(LongSupplier since) {
        this.listeningSince = since;
    }

    void setUnansweredAt(LongSupplier at) {
        this.unansweredAt = at;
    }

    /** @return why this node must not start anything now (the set reason first, then the check's), or null */
    String notReady() {
        String r = notReadyReason;
        return r != null ? r : readinessCheck.get();
    }

    /**
     * The start-up wait: the settle time from start or from the first open path, whichever is later. A peer that is
     * heard but has not yet answered this node's new challenge (on a loaded machine the answer can take longer than
     * the wait) is alive and may run groups: while its frames keep coming the wait lasts up to twice as long, so this
     * node does not conclude it is alone and start them beside it. A recording replayed to this node never answers,
     * so it can delay the start by one more settle time at most.
     *
     * @param now monotonic ms
     * @return true once the wait is over
     */
    boolean waitOver(long now) {
        long waited = now - Math.max(startedAt, listeningSince.getAsLong());
        if (waited < settleMillis) {
            return false;
        }
        long u = unansweredAt.getAsLong();
        boolean peerTalking = u != Long.MIN_VALUE && now - u <= 2 * intervalMillis.getAsLong();
        return !peerTalking || waited >= 2 * settleMillis;
    }
}
