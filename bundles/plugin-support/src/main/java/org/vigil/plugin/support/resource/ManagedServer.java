package org.vigil.plugin.support.resource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.vigil.plugin.support.LogTail;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.SupervisedProcess;

/**
 * The parts the handlers of a managed server (one long-running program under the core's supervisor: nginx,
 * smbd, cupsd) share: waiting for a started program to answer, the stop with TERM then KILL near the timeout,
 * and the small helpers around them.
 */
public final class ManagedServer {

    /** What is left of the stop timeout when a program that ignored TERM gets KILL. */
    public static final Duration KILL_RESERVE = Duration.ofSeconds(1);
    /** How long a killed program gets to be gone, at least (even when the timeout is used up). */
    public static final Duration KILL_WAIT_MIN = Duration.ofMillis(500);

    /** How often a starting program's readiness is checked again (waiting on the program meanwhile). */
    public static final Duration CHECK_POLL = Duration.ofMillis(100);
    /** How long one readiness or monitor check may take at most. */
    public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    private ManagedServer() {
    }

    /**
     * Waits until a started program answers its probe, checking every {@link #CHECK_POLL} and noticing its death
     * at once; each probe is bounded by {@link #CHECK_TIMEOUT} and the operation's remaining time.
     *
     * @param program   the program
     * @param name      the program's name in the messages
     * @param op        the start operation
     * @param probe     the readiness check: given its time limit, the reason it is not ready, or empty when it is
     * @param log       the program's log, quoted in the failure messages
     * @param logFrom   where this start's part of the log begins
     * @param deathHint added to the message when the program is found dead before it answered ("" for none)
     * @return ok once it answers; failed when it died or did not answer within the start timeout
     * @throws InterruptedException when the wait is interrupted
     */
    public static OperationResult awaitReady(SupervisedProcess program, String name, OperationContext op,
            Function<Duration, Optional<String>> probe, Path log, long logFrom, String deathHint)
            throws InterruptedException {
        while (true) {
            if (!program.isAlive()) {
                return OperationResult.failed(name + " exited during start with status " + exitStatus(program)
                        + LogTail.describe(log, logFrom) + deathHint);
            }
            Optional<String> failure = probe.apply(min(CHECK_TIMEOUT, op.remaining()));
            if (failure.isEmpty()) {
                return program.isAlive() ? OperationResult.ok() : OperationResult.failed(name + " exited during start"
                        + " with status " + exitStatus(program) + LogTail.describe(log, logFrom));
            }
            if (op.isCancelled() || op.remaining().compareTo(CHECK_POLL) <= 0) {
                return OperationResult.failed(name + " did not answer within the start timeout: " + failure.get()
                        + LogTail.describe(log, logFrom));
            }
            program.awaitExit(CHECK_POLL); // notices its death at once
        }
    }

    /**
     * Stops the program registered as {@code main}: TERM to its process group, KILL when it still runs
     * {@link #KILL_RESERVE} before the stop timeout; it is forgotten once it has ended.
     *
     * @param processes the resource's supervisor
     * @param main      the name the program was started under, also the name the messages give it
     * @param op        the stop operation (its remaining time bounds the waits)
     * @return ok (with a note when KILL was needed), ok when nothing runs, or failed when the program survived
     */
    public static OperationResult stop(ProcessSupervisor processes, String main, OperationContext op) {
        Optional<SupervisedProcess> found = processes.find(main);
        if (found.isEmpty()) {
            return OperationResult.ok();
        }
        SupervisedProcess program = found.get();
        if (!program.isAlive()) {
            processes.forget(main);
            return OperationResult.ok();
        }
        String note = "";
        try {
            program.signal("TERM");
            boolean gone = program.awaitExit(positive(op.remaining().minus(KILL_RESERVE)));
            if (!gone) {
                note = main + " still running 1 s before the stop timeout, killed";
                program.signal("KILL");
                Duration wait = op.remaining();
                gone = program.awaitExit(wait.compareTo(KILL_WAIT_MIN) >= 0 ? wait : KILL_WAIT_MIN);
            }
            if (!gone) {
                return OperationResult.failed(main + " (pid " + program.pid() + ") still running after KILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (program.isAlive()) {
                return OperationResult.failed("stop abandoned (interrupted); " + main + " (pid " + program.pid()
                        + ") still running");
            }
        }
        processes.forget(main);
        return note.isEmpty() ? OperationResult.ok() : OperationResult.ok(note);
    }

    /**
     * The first part of a monitor: whether the program registered as {@code main} still runs.
     *
     * @param processes the resource's supervisor
     * @param main      the name the program was started under, also the name the message gives it
     * @param log       the program's log, quoted when it has ended
     * @return not running when none was started, failed ("exited unexpectedly" with its status and the log's
     *         last lines) when it has ended, or empty while it runs
     */
    public static Optional<OperationResult> notRunning(ProcessSupervisor processes, String main, Path log) {
        Optional<SupervisedProcess> found = processes.find(main);
        if (found.isEmpty()) {
            return Optional.of(OperationResult.notRunning());
        }
        SupervisedProcess program = found.get();
        if (!program.isAlive()) {
            return Optional.of(OperationResult.failed(main + " exited unexpectedly with status " + exitStatus(program)
                    + LogTail.describe(log, 0)));
        }
        return Optional.empty();
    }

    /** @return the program's exit status, or "unknown" */
    public static String exitStatus(SupervisedProcess program) {
        return program.exitCode().isPresent() ? Integer.toString(program.exitCode().getAsInt()) : "unknown";
    }

    /** @return the shorter of the two, never negative */
    public static Duration min(Duration a, Duration b) {
        return positive(a.compareTo(b) <= 0 ? a : b);
    }

    /** @return d, or zero when d is negative */
    public static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
