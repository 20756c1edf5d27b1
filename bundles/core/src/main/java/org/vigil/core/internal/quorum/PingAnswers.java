package org.vigil.core.internal.quorum;

/**
 * What the continuous prober knows about each address, on this node's monotonic clock (ms). Times that never
 * happened are {@link #NEVER}; an address not probed right now has {@link #NOT_PROBING} as its probing start.
 */
public interface PingAnswers {

    /** A time long before any clock reading (no overflow when subtracted from one). */
    long NEVER = Long.MIN_VALUE / 4;

    /** A time long after any clock reading: the address is not being probed. */
    long NOT_PROBING = Long.MAX_VALUE / 4;

    /** @param address a probed address @return when it last answered a ping, or {@link #NEVER} */
    long lastAnswer(String address);

    /**
     * @param address a probed address
     * @return since when one ping process has probed it without a break, or {@link #NOT_PROBING} while none does
     */
    long probingSince(String address);

    /**
     * @param address a probed address
     * @return when its ping last reported a probe's outcome (an answer, or {@code -O}'s "no answer yet"), or
     *         {@link #NEVER}: proves the probing goes on
     */
    long lastReport(String address);
}
