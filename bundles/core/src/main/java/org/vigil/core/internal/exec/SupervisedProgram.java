package org.vigil.core.internal.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.vigil.api.resource.SupervisedProcess;

/**
 * One program started by the {@link ProcessRegistry}: the JDK {@link Process} (whose pid is the program's
 * pid and process-group id) and the write end of its lifeline pipe.
 */
final class SupervisedProgram implements SupervisedProcess {

    private static final Pattern SIGNAL = Pattern.compile("[A-Z][A-Z0-9]*|[0-9]{1,2}");

    /** How long a {@code kill} may take; it is a shell builtin and returns at once. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final OutputStream lifeline;
    private final String description;

    SupervisedProgram(Process process, String description) {
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.description = description;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    /** Cheap: the JDK's own exit status, no system call and no fork. */
    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public OptionalInt exitCode() {
        // exitValue() is 128 + N for a program killed by signal N, as a shell reports it
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /**
     * Sends the signal to the program's process group. Once the program has ended this does nothing: its
     * lifeline is cut then and the watcher has killed the group, and the group id may be reused by now.
     *
     * @throws IllegalArgumentException when the signal is not a plain signal name or number
     */
    @Override
    public void signal(String signal) {
        String name = signal.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (!SIGNAL.matcher(name).matches()) {
            throw new IllegalArgumentException("not a signal name: " + signal);
        }
        if (!process.isAlive()) {
            return;
        }
        // The group exists while the program lives (it leads it): no risk of signalling a stranger.
        CommandRunner.run(List.of("/bin/sh", "-c", "kill -s \"$1\" -- \"-$2\"", "vigil-kill", name,
                Long.toString(process.pid())), KILL_TIMEOUT);
    }

    @Override
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        long nanos;
        try {
            nanos = timeout.isNegative() ? 0 : timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return process.waitFor(nanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the lifeline: the watcher then kills the whole process group. Idempotent. */
    void cutLifeline() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the pipe is gone either way
        }
    }

    @Override
    public String toString() {
        return "program " + process.pid() + " (" + description + ")"
                + (process.isAlive() ? "" : ", exited " + process.exitValue());
    }
}
