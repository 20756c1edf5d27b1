package org.vigil.core.internal.shell;

/**
 * What a command's outcome means to a script: the exit status {@code bin/vigil} returns (docs/cli.md). 0, 1 and 2
 * follow the monitoring plug-in convention (OK, WARNING, CRITICAL), so a Nagios-style check can run
 * {@code bin/vigil status} as it is.
 */
public enum ExitStatus {
    /** The command did what was asked; for status: this node is ready and nothing is degraded. */
    OK(0),
    /** Status only: the cluster runs, but something needs the admin (a path or node down, a group not placed...). */
    DEGRADED(1),
    /** Status only: this node runs no group now (starting, not ready, no quorum). */
    NOT_READY(2),
    /** The command was refused as given (unknown group or node, bad option or value); nothing changed. */
    REJECTED(3),
    /** bin/vigil could not reach or log in to the node's shell (set by the wrapper, never by a command). */
    CANNOT_CONNECT(4),
    /** The command was accepted but did not succeed (for example a switchover that did not finish in time). */
    FAILED(5);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    /** @return the process exit status */
    public int code() {
        return code;
    }

    /** @return the lower-case name used in JSON ("ok", "degraded", "not-ready", ...) */
    public String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
