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
}
