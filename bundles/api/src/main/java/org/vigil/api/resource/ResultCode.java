package org.vigil.api.resource;

/**
 * The closed set of outcomes of a resource operation. Modelled on the OCF return codes that Pacemaker
 * uses, reduced to what the cluster acts upon.
 */
public enum ResultCode {
    /** The operation succeeded; for {@code monitor}: the resource runs and is healthy. */
    OK,
    /** {@code monitor} only: the resource is cleanly stopped on this node. Never returned by {@code stop}. */
    NOT_RUNNING,
    /** The operation failed; the resource may be in any state. A failed {@code stop} is the worst case. */
    FAILED,
    /** The resource's parameters are wrong; retrying on another node will not help either. */
    NOT_CONFIGURED,
    /** Something the agent needs is missing on this node (a program, a device, a package). */
    NOT_INSTALLED,
    /** {@code monitor} only: the resource runs and serves, but not at full health (shown, not acted upon). */
    DEGRADED;

    /** @return true when the resource is running after an operation with this outcome ({@link #OK} or {@link #DEGRADED}). */
    public boolean isRunning() {
        return this == OK || this == DEGRADED;
    }
}
