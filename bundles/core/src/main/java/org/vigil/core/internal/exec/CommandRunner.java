package org.vigil.core.internal.exec;

import java.time.Duration;
import java.util.List;
import org.vigil.api.resource.CommandResult;

/** Runs short commands for agents, bounded in time and output. (Skeleton: to be implemented.) */
public final class CommandRunner {

    private CommandRunner() {
    }

    /**
     * Runs a command and waits for it, killing it (and its process group) at the timeout.
     *
     * @param command the argument vector
     * @param timeout how long it may run
     * @return its exit status and output (each stream capped at 64 KiB)
     */
    public static CommandResult run(List<String> command, Duration timeout) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
