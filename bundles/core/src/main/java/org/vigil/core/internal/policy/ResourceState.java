package org.vigil.core.internal.policy;

/** What a node knows about one resource on itself. */
public enum ResourceState {
    /** Cleanly stopped (or the type is not installed here, so it cannot have been started here). */
    STOPPED,
    /** Not known yet: a probe must tell before any decision that depends on it. */
    UNKNOWN,
    /** Being started. */
    STARTING,
    /** Runs and passed its last monitor. */
    RUNNING,
    /** Being stopped. */
    STOPPING,
    /** Failed (a monitor, a start, or a probe found it broken): it must be stopped before anything else. */
    FAILED,
    /** A stop failed: something of it may still run. The group is blocked until this node is known down or the admin cleans up. */
    STOP_FAILED,
    /** Its type's bundle is gone while it may run: Vigil leaves it alone until the type returns and a probe re-adopts it. */
    UNMANAGED;

    /** @return true when the node may have something of this resource running (anything but {@link #STOPPED}) */
    public boolean isActive() {
        return this != STOPPED;
    }
}
