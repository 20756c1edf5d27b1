package org.vigil.core.internal.policy;

/** How this node sees another node. Transitions: UNKNOWN -> ONLINE -> SUSPECT -> LOST -> ONLINE ... */
public enum Membership {
    /** Never heard of since this node started. */
    UNKNOWN,
    /** Heard on at least one path within the dead time and recently. */
    ONLINE,
    /** Silent for a few heartbeat intervals on every path, not yet for the dead time: still counts as online. */
    SUSPECT,
    /** Silent on every path for the dead time: declared down. */
    LOST;

    /** @return true for states in which the node counts as a member that runs what it reports */
    public boolean isUp() {
        return this == ONLINE || this == SUSPECT;
    }
}
