package org.vigil.api.resource;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * A long-running program started through a {@link ProcessSupervisor}. The core owns it, so it survives
 * the agent bundle being updated or uninstalled, and it dies with the node process (see
 * {@link ProcessSupervisor}).
 */
public interface SupervisedProcess {

    /** @return the operating-system process id of the program (also its process-group id) */
    long pid();

    /** @return true while the program runs */
    boolean isAlive();

    /** @return the exit status once the program has ended */
    OptionalInt exitCode();

    /**
     * Sends a signal to the program's whole process group.
     *
     * @param signal a signal name understood by {@code kill(1)}, for example {@code TERM} or {@code KILL}
     */
    void signal(String signal);

    /**
     * Waits for the program to end.
     *
     * @param timeout how long to wait at most
     * @return true when it has ended
     * @throws InterruptedException when the waiting thread is interrupted
     */
    boolean awaitExit(Duration timeout) throws InterruptedException;
}
