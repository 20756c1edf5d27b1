package org.vigil.core.internal.heartbeat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node from releasing its last heartbeat port while it runs anything. Once every path to a lost node
 * refuses its frames, the others count its Vigil process gone and start its groups at once; a live node whose
 * last port closes (its transport bundle stopped or updated, its path configuration deleted) would look exactly
 * like that. So before such a close it stops everything, as a self-fencing does (no group starts here until
 * {@code vigil:cleanup} or a restart), and closes only once nothing runs, or after a bound.
 */
final class LastPortGuard {

    private static final Logger LOG = LoggerFactory.getLogger(LastPortGuard.class);
    static final long WAIT_MILLIS = 30_000;

    private LastPortGuard() {
    }

    /**
     * Returns once it is safe to close the paths: another path stays open, none of them can refuse, nothing runs
     * here, or the wait ran out (logged: the others may then start this node's groups while one still runs).
     *
     * @param node             this node
     * @param closing          the paths about to close, for the log and the alert
     * @param closingCanRefuse true when one of them reports refusals to the peers
     * @param othersOpen       true when another path stays open (its frames, or its open port, keep this node alive)
     * @param active           whether any resource is active here
     * @param fence            the fence handler: (requesting node, reason) to true once nothing runs here
     * @param clock            the monotonic clock (ms)
     * @param waitMillis       the longest wait
     * @return true when nothing ran or everything stopped in time
     */
    static boolean quietFirst(String node, String closing, boolean closingCanRefuse, boolean othersOpen,
            BooleanSupplier active, BiPredicate<String, String> fence, LongSupplier clock, long waitMillis) {
        if (!closingCanRefuse || othersOpen || fence == null || !active.getAsBoolean()) {
            return true;
        }
        String reason = "its last heartbeat path (" + closing + ") is closing while resources run here; the other "
                + "nodes would count its Vigil process gone and start them";
        long deadline = clock.getAsLong() + waitMillis;
        while (!fence.test(node, reason) && active.getAsBoolean()) {
            if (clock.getAsLong() - deadline >= 0) {
                LOG.error("heartbeat path {} closes although resources still run here after {} ms: the other nodes may "
                        + "start them", closing, waitMillis);
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return true;
    }
}
