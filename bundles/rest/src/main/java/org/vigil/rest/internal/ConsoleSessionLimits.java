package org.vigil.rest.internal;

/** How long a web console login lasts. */
final class ConsoleSessionLimits {

    /** A session unused this long ends (an open page's stream reconnects every 2 minutes, which counts as use). */
    static final long IDLE_MS = 30 * 60 * 1000L;
    /** A session ends this long after its login, used or not. */
    static final long MAX_AGE_MS = 12 * 60 * 60 * 1000L;

    private ConsoleSessionLimits() {
    }
}
