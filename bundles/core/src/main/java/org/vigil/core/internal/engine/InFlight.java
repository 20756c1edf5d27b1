package org.vigil.core.internal.engine;

import java.util.concurrent.Future;
import org.vigil.core.internal.policy.Action;

/** An operation of one resource under way on a worker thread. */
record InFlight(Action action, OpContext ctx, Future<?> future) {
}
