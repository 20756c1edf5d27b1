package org.vigil.core.internal.membership;

/**
 * The lease's timing (docs/split-brain-safety.md, "The lease"). With quorum configured, a node keeps and starts
 * groups only while it holds a lease: the votes of itself and of every peer that acknowledged one of its heartbeats
 * sent within the last {@link #leaseMillis} form a majority, or, for exactly half, the ping tie-breaker's verdict,
 * read from the continuous prober at every engine tick, says this side wins. When the lease lapses the node stops
 * everything at once ({@link #STOP_MILLIS}: programs killed with their process groups, release actions run).
 *
 * <p>A peer's acknowledgement names a heartbeat that peer counted at or after the instant it was sent, so the lease
 * of node A ends no later than the last receipt r of B from A plus the lease; A has stopped by r plus
 * {@link #promiseMillis}, which is shorter than the dead time: when B declares A lost (at r plus the dead time) it
 * waits nothing more.
 */
public final class Lease {

    /** How long the fast stop may take, from the engine tick that finds the lease gone (ticks are 25 ms apart). */
    public static final long STOP_MILLIS = 150;

    /**
     * The freeze bound: a survivor whose lost peer's machine still answers ping (a frozen process, or only the
     * heartbeats cut) waits at least this plus {@link #STOP_MILLIS} from its last receipt: a node that wakes from a
     * pause stops everything at its first tick (the pause rule). Longer freezes may overlap unless fenced first.
     */
    public static final long FREEZE_MILLIS = 1_000;

    private Lease() {
    }

    /**
     * @param deadMillis     the dead time
     * @param intervalMillis the heartbeat interval
     * @return the lease: the dead time less the fast stop (so the promise, lease plus fast stop, is the dead time: a
     *         survivor waits nothing beyond it; monotonic clocks run at the same rate to far better than the ticks);
     *         or -1 when that leaves less than two intervals plus 50 ms (an acknowledgement takes a round trip): no
     *         lease at such timing
     */
    public static long leaseMillis(long deadMillis, long intervalMillis) {
        long l = deadMillis - STOP_MILLIS;
        return l >= 2 * intervalMillis + 50 ? l : -1;
    }

    /**
     * @return what a node promises in its heartbeats: counted from a peer's last receipt from it, it has stopped
     *         everything within this time once its lease lapsed; -1 without a lease
     */
    public static long promiseMillis(long deadMillis, long intervalMillis) {
        long l = leaseMillis(deadMillis, intervalMillis);
        return l < 0 ? -1 : l + STOP_MILLIS;
    }
}
