package org.vigil.api.resource;

import java.time.Duration;

/**
 * Handed to each call of a resource operation: how much time is left before the core gives up on it.
 * An agent whose operation has stages (for example a database: fast shutdown, then immediate) uses
 * {@link #remaining()} to decide when to escalate.
 */
public interface OperationContext {

    /** @return the whole timeout of this operation */
    Duration timeout();

    /** @return the time left before the timeout; zero or negative when it has passed */
    Duration remaining();

    /** @return true once the core has abandoned the operation (timeout or shutdown); stop working then */
    boolean isCancelled();

    /**
     * Whether this start is a planned hand-over: the admin's switchover moves the group to this node, and every
     * other member of the cluster is heard and reports that it holds no resource of this type any more (its stops
     * succeeded). An agent whose start first checks that no other host still holds the resource (a duplicate
     * address listen) may skip that check then. Never true for a takeover after a crash, a cut or a freeze, nor
     * for any operation but start.
     *
     * @return true only for the start of a planned hand-over
     * @since 1.3
     */
    default boolean isPlannedHandover() {
        return false;
    }
}
