package org.vigil.core.internal.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One release action's guard process: {@code setsid /bin/sh -c GUARD vigil-guard MARKER SECONDS ARGV...}, its
 * standard input a pipe whose only writer is this JVM, its output appended to the release log.
 *
 * <p>The signal paths:
 * <ul>
 * <li>this JVM ends, by any cause: the kernel closes the pipe, {@code read} meets end-of-file without the
 * word, and the action runs under {@code timeout} (TERM at the bound, KILL 2 s later);</li>
 * <li>{@link #withdraw()}: the JVM writes the word and closes; {@code read} returns it and the guard exits
 * without running anything. A write of a few bytes to a pipe is atomic, so the guard sees the whole word or
 * nothing;</li>
 * <li>a signal to the guard: every catchable signal is ignored ({@code read} is a shell builtin, so no child
 * can be killed to fake an end-of-file); KILL ends the shell before it can run anything, so a guard killed
 * while the JVM lives never releases.</li>
 * </ul>
 */
final class ReleaseGuard {

    /** {@code $0} of the guard shell, what {@code ps} shows. */
    static final String NAME = "vigil-guard";

    /** What the JVM writes to withdraw the guard. */
    static final String WORD = "withdraw";

    /** The guard script, run by {@code /bin/sh} with {@code $1} the marker, {@code $2} the bound in seconds. */
    static final String SCRIPT = String.join("\n",
            "trap '' HUP INT QUIT ABRT USR1 USR2 ALRM TERM PIPE TSTP TTIN TTOU",
            "word=",
            "read -r word",
            "status=$?",
            // a line, or even part of one: the JVM spoke, so it lived; only a silent end-of-file releases
            "if [ \"$status\" -eq 0 ] || [ -n \"$word\" ]; then exit 0; fi",
            "t=$2",
            "shift 2",
            "echo \"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) vigil-guard: the node process is gone (its lifeline closed);"
                    + " running: $*\"",
            "timeout -k 2 \"$t\" \"$@\" </dev/null",
            "rc=$?",
            "echo \"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) vigil-guard: release ended, exit $rc\"",
            "exit $rc",
            "");

    private final Process process;
    private final OutputStream pipe;
    private final List<String> command;
    private final Duration timeout;

    private ReleaseGuard(Process process, List<String> command, Duration timeout) {
        this.process = process;
        this.pipe = process.getOutputStream();
        this.command = command;
        this.timeout = timeout;
    }

    /**
     * @param marker names the guards of one node (its run directory), so a new node process can find the
     *               guards of the previous one
     */
    static ReleaseGuard start(String marker, List<String> command, Duration timeout, Path workingDir, Path log)
            throws IOException {
        List<String> argv = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", SCRIPT, NAME, marker, seconds(timeout)));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workingDir.toFile()).redirectInput(Redirect.PIPE)
                .redirectErrorStream(true);
        Executables.require(command.get(0), pb.environment().get("PATH"), workingDir);
        Path parent = log.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        pb.redirectOutput(Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        // in its own session before it counts: a signal to the node's process group must not reach it
        ProcessRegistry.awaitOwnGroup(p);
        return new ReleaseGuard(p, List.copyOf(command), timeout);
    }

    /** The bound as timeout(1) reads it: seconds with a fraction. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return String.format(java.util.Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    boolean declares(List<String> otherCommand, Duration otherTimeout) {
        return command.equals(otherCommand) && timeout.equals(otherTimeout);
    }

    /** Tells the guard to end without releasing. Idempotent. */
    void withdraw() {
        try {
            pipe.write((WORD + "\n").getBytes(StandardCharsets.US_ASCII));
            pipe.flush();
        } catch (IOException ignored) {
            // the guard is gone already (ended, or killed): it can no longer release anything
        }
        close();
    }

    /** Closes the pipe without the word: what the kernel does when this JVM dies (and the lease's fast stop). */
    void cutAsIfTheNodeDied() {
        close();
    }

    boolean awaitExit(Duration d) throws InterruptedException {
        return process.waitFor(d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void close() {
        try {
            pipe.close();
        } catch (IOException ignored) {
            // the pipe is gone either way
        }
    }

    @Override
    public String toString() {
        return NAME + " " + process.pid() + " (" + String.join(" ", command) + ")";
    }
}
