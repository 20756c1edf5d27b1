package org.vigil.core.internal.exec;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.vigil.api.resource.CommandResult;

/**
 * Runs short commands for agents, bounded in time and output.
 *
 * <p>Output goes to temporary files rather than pipes: the calling thread only waits for the exit, so a
 * command that fills a pipe, or leaves a background child holding its output open, can neither deadlock
 * the caller nor need a reader thread.
 */
public final class CommandRunner {

    /** Each captured stream is cut to this many bytes. */
    static final int MAX_OUTPUT = 64 * 1024;

    /** Exit status for a command that could not be started, as a shell reports "command not found". */
    static final int NOT_STARTED = 127;

    private static final File DEV_NULL = new File("/dev/null");

    /** How long to wait for a killed command to be reaped before giving up on it. */
    private static final long REAP_WAIT_MS = 2_000;

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
        if (command == null || command.isEmpty() || command.stream().anyMatch(Objects::isNull)) {
            return new CommandResult(NOT_STARTED, "", "empty command or null argument: " + command, false);
        }
        long timeoutNanos = toNanos(timeout);
        Path out = null;
        Path err = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectInput(Redirect.from(DEV_NULL));
            try {
                out = Files.createTempFile("vigil-cmd-", ".out");
                err = Files.createTempFile("vigil-cmd-", ".err");
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            } catch (IOException | RuntimeException e) {
                // A full temp directory must not make e.g. a stop command fail: run it, output unseen.
                deleteQuietly(out);
                deleteQuietly(err);
                out = null;
                err = null;
                pb.redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD);
            }
            Process process;
            try {
                process = pb.start();
            } catch (IOException | RuntimeException e) {
                return new CommandResult(NOT_STARTED, "", String.valueOf(e.getMessage()), false);
            }
            boolean finished;
            boolean interrupted = false;
            try {
                finished = process.waitFor(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // The core abandons an operation by interrupting it: kill the command and report it as
                // timed out, keeping the interrupt for the caller.
                finished = false;
                interrupted = true;
            }
            if (!finished) {
                killTree(process);
                String stdout = readCapped(out);
                String stderr = readCapped(err);
                if (interrupted) {
                    stderr = stderr.isEmpty() ? "interrupted" : stderr + "\ninterrupted";
                    Thread.currentThread().interrupt();
                }
                return new CommandResult(-1, stdout, stderr, true);
            }
            return new CommandResult(process.exitValue(), readCapped(out), readCapped(err), false);
        } catch (RuntimeException e) {
            // Contract: never throws.
            return new CommandResult(NOT_STARTED, "", String.valueOf(e), false);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static long toNanos(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Kills the command and everything it started. Descendants are listed before the parent dies (they are
     * re-parented afterwards and no longer found), and twice, to catch children forked in between.
     */
    private static void killTree(Process process) {
        for (int round = 0; round < 2; round++) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        try {
            process.waitFor(REAP_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readCapped(Path file) {
        if (file == null) {
            return "";
        }
        // FileInputStream, not Files.newInputStream: the latter refuses to read on an interrupted thread.
        try (InputStream in = new FileInputStream(file.toFile())) {
            return new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stray temp file is harmless
            }
        }
    }
}
