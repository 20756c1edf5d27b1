package org.vigil.core.internal.heartbeat;

import java.util.Locale;

/** Where a configured heartbeat path stands, as the status shows it. */
public enum PathState {
    /** Its transport is not installed (yet). */
    WAITING,
    /** Open: frames go out and come in. */
    OPEN,
    /** Open, but the transport reports its link down (a cable pulled, the other end powered off). */
    LINK_DOWN,
    /** Its configuration is wrong; it stays so until the configuration changes. */
    INVALID,
    /** Its transport could not open it; tried again every few seconds. */
    FAILED;

    /** @return the word the status, the JSON and the log use: open, link-down, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return true when the transport is open, whatever its link */
    public boolean opened() {
        return this == OPEN || this == LINK_DOWN;
    }

    @Override
    public String toString() {
        return label();
    }
}
