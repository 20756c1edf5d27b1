package org.vigil.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.api.resource.CommandResult;

@Timeout(30)
class CommandRunnerTest {

    private static CommandResult sh(String script, Duration timeout) {
        return CommandRunner.run(List.of("/bin/sh", "-c", script), timeout);
    }

    @Test
    void capturesExitStatusAndBothStreams() {
        CommandResult r = sh("echo out; echo err >&2; exit 3", Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.timedOut()).isFalse();
        assertThat(r.describeFailure()).isEqualTo("exit 3: err");
    }

    @Test
    void succeeds() {
        assertThat(CommandRunner.run(List.of("true"), Duration.ofSeconds(10)).succeeded()).isTrue();
    }

    @Test
    void capsEachStreamAt64KiBWithoutBlockingTheCommand() {
        // 1 MiB on each stream: far more than a pipe buffer, so a pipe-based runner without readers would hang
        CommandResult r = sh("head -c 1048576 /dev/zero | tr '\\0' a; head -c 1048576 /dev/zero | tr '\\0' b >&2",
                Duration.ofSeconds(20));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).hasSize(64 * 1024).matches("a+");
        assertThat(r.stderr()).hasSize(64 * 1024).matches("b+");
    }

    @Test
    void stdinIsDevNull() {
        CommandResult r = CommandRunner.run(List.of("cat"), Duration.ofSeconds(10));
        assertThat(r.succeeded()).isTrue();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void missingExecutableIsExit127WithTheReason() {
        CommandResult r = CommandRunner.run(List.of("/nonexistent/vigil-no-such-program", "x"), Duration.ofSeconds(5));
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.timedOut()).isFalse();
        assertThat(r.stderr()).contains("vigil-no-such-program");
    }

    @Test
    void emptyCommandDoesNotThrow() {
        assertThat(CommandRunner.run(List.of(), Duration.ofSeconds(5)).exitCode()).isEqualTo(127);
        assertThat(CommandRunner.run(null, Duration.ofSeconds(5)).exitCode()).isEqualTo(127);
    }

    @Test
    void killsTheCommandAndItsChildrenAtTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        CommandResult r = sh("sleep 300 & echo $!; exec sleep 301", Duration.ofMillis(500));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        long child = Long.parseLong(r.stdout().strip());
        try {
            assertThat(r.timedOut()).isTrue();
            assertThat(r.exitCode()).isEqualTo(-1);
            assertThat(r.succeeded()).isFalse();
            assertThat(elapsedMs).isLessThan(5_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> Procs.isGone(child));
        } finally {
            Procs.killQuietly(child);
        }
    }

    @Test
    void aBackgroundChildKeepingTheOutputOpenDoesNotDelayTheResult() {
        long t0 = System.nanoTime();
        CommandResult r = sh("sleep 300 & echo $!", Duration.ofSeconds(10));
        long child = Long.parseLong(r.stdout().strip());
        try {
            assertThat(r.succeeded()).isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos());
        } finally {
            Procs.killQuietly(child);
        }
    }

    @Test
    void anInterruptedCallerKillsTheCommandAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            CommandResult r = CommandRunner.run(List.of("sleep", "30"), Duration.ofSeconds(20));
            assertThat(r.timedOut()).isTrue();
            assertThat(r.stderr()).contains("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
