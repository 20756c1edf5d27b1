package org.vigil.core.internal.engine;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.vigil.api.resource.OperationContext;

/** The time budget of one operation, on the monotonic clock. */
final class OpContext implements OperationContext {

    private final long timeoutMillis;
    private final long deadline;
    private final LongSupplier clock;
    private final boolean plannedHandover;
    private volatile boolean cancelled;

    OpContext(long timeoutMillis, LongSupplier clock) {
        this(timeoutMillis, clock, false);
    }

    OpContext(long timeoutMillis, LongSupplier clock, boolean plannedHandover) {
        this.plannedHandover = plannedHandover;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        this.deadline = clock.getAsLong() + timeoutMillis;
    }

    long deadline() {
        return deadline;
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    @Override
    public Duration remaining() {
        return Duration.ofMillis(deadline - clock.getAsLong());
    }

    @Override
    public boolean isPlannedHandover() {
        return plannedHandover;
    }

    @Override
    public boolean isCancelled() {
        return cancelled || Thread.currentThread().isInterrupted();
    }
}
