package org.vigil.plugin.support.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;

/** ManagedServer against real programs: waiting for one to answer, stopping one that ends on TERM or ignores it. */
class ManagedServerTest {

    private final Processes processes = new Processes();

    @AfterEach
    void killLeftovers() {
        processes.started.values().forEach(p -> p.process.destroyForcibly());
    }

    @Test
    void nothingStartedStopsOk() {
        assertThat(ManagedServer.stop(processes, "srv", operation(Duration.ofSeconds(5)))).isEqualTo(OperationResult.ok());
    }

    @Test
    void termEndsTheProgramAndItIsForgotten() throws Exception {
        processes.start("srv", List.of("sleep", "30"), Map.of(), null, null);

        OperationResult r = ManagedServer.stop(processes, "srv", operation(Duration.ofSeconds(10)));

        assertThat(r).isEqualTo(OperationResult.ok());
        assertThat(processes.find("srv")).isEmpty();
    }

    @Test
    void aProgramIgnoringTermIsKilledNearTheTimeoutWithANote() throws Exception {
        SupervisedProcess p = processes.start("srv", List.of("sh", "-c", "trap '' TERM; exec sleep 30"), Map.of(),
                null, null);
        Thread.sleep(300); // let sh set the trap before the TERM comes

        long t0 = System.nanoTime();
        OperationResult r = ManagedServer.stop(processes, "srv", operation(Duration.ofSeconds(3)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.code()).isEqualTo(ResultCode.OK);
        assertThat(r.message()).isEqualTo("srv still running 1 s before the stop timeout, killed");
        assertThat(p.isAlive()).isFalse();
        assertThat(processes.find("srv")).isEmpty();
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1500)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anEndedProgramIsForgotten() throws Exception {
        SupervisedProcess p = processes.start("srv", List.of("true"), Map.of(), null, null);
        assertThat(p.awaitExit(Duration.ofSeconds(10))).isTrue();

        assertThat(ManagedServer.stop(processes, "srv", operation(Duration.ofSeconds(5)))).isEqualTo(OperationResult.ok());
        assertThat(processes.find("srv")).isEmpty();
        assertThat(ManagedServer.exitStatus(p)).isEqualTo("0");
    }

    @Test
    void awaitReadyIsOkOnceTheProbeAnswersAndBoundsEachProbe() throws Exception {
        SupervisedProcess p = processes.start("srv", List.of("sleep", "30"), Map.of(), null, null);
        AtomicInteger probes = new AtomicInteger();
        List<Duration> limits = new java.util.ArrayList<>();

        OperationResult r = ManagedServer.awaitReady(p, "srv", operation(Duration.ofSeconds(20)), limit -> {
            limits.add(limit);
            return probes.incrementAndGet() < 3 ? Optional.of("not yet") : Optional.empty();
        }, Path.of("/nonexistent/srv.log"), 0, " (hint)");

        assertThat(r).isEqualTo(OperationResult.ok());
        assertThat(probes).hasValue(3);
        assertThat(limits).allSatisfy(l -> assertThat(l).isEqualTo(ManagedServer.CHECK_TIMEOUT));
    }

    @Test
    void awaitReadyNoticesTheProgramsDeathWithItsStatusTheLogAndTheHint() throws Exception {
        Path log = java.nio.file.Files.createTempFile("vigil-managed-server-", ".log");
        try {
            java.nio.file.Files.writeString(log, "an earlier run\n");
            long from = java.nio.file.Files.size(log);
            java.nio.file.Files.writeString(log, "bind failed\n", java.nio.file.StandardOpenOption.APPEND);
            SupervisedProcess p = processes.start("srv", List.of("sh", "-c", "exit 3"), Map.of(), null, null);
            assertThat(p.awaitExit(Duration.ofSeconds(10))).isTrue();

            OperationResult r = ManagedServer.awaitReady(p, "srv", operation(Duration.ofSeconds(20)),
                    limit -> Optional.of("not yet"), log, from, " (hint)");

            assertThat(r).isEqualTo(OperationResult.failed("srv exited during start with status 3; last output:"
                    + " bind failed (hint)"));
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    @Test
    void awaitReadyGivesUpAtTheStartTimeoutWithTheProbesReason() throws Exception {
        SupervisedProcess p = processes.start("srv", List.of("sleep", "30"), Map.of(), null, null);

        OperationResult r = ManagedServer.awaitReady(p, "srv", operation(Duration.ofMillis(700)),
                limit -> Optional.of("connection refused"), Path.of("/nonexistent/srv.log"), 0, " (hint)");

        assertThat(r).isEqualTo(OperationResult.failed("srv did not answer within the start timeout: connection"
                + " refused"));
        assertThat(p.isAlive()).as("a program that does not answer is left to the caller").isTrue();
    }

    @Test
    void notRunningTellsNeverStartedFromEndedFromRunning() throws Exception {
        assertThat(ManagedServer.notRunning(processes, "srv", Path.of("/nonexistent/srv.log")))
                .contains(OperationResult.notRunning());

        SupervisedProcess ended = processes.start("srv", List.of("sh", "-c", "exit 4"), Map.of(), null, null);
        assertThat(ended.awaitExit(Duration.ofSeconds(10))).isTrue();
        assertThat(ManagedServer.notRunning(processes, "srv", Path.of("/nonexistent/srv.log")))
                .contains(OperationResult.failed("srv exited unexpectedly with status 4"));

        processes.start("srv", List.of("sleep", "30"), Map.of(), null, null);
        assertThat(ManagedServer.notRunning(processes, "srv", Path.of("/nonexistent/srv.log"))).isEmpty();
    }

    @Test
    void durations() {
        assertThat(ManagedServer.min(Duration.ofSeconds(2), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(ManagedServer.min(Duration.ofSeconds(2), Duration.ofSeconds(-1))).isEqualTo(Duration.ZERO);
        assertThat(ManagedServer.positive(Duration.ofMillis(-5))).isEqualTo(Duration.ZERO);
    }

    private static OperationContext operation(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return new OperationContext() {
            @Override
            public Duration timeout() {
                return timeout;
            }

            @Override
            public Duration remaining() {
                return Duration.ofNanos(deadline - System.nanoTime());
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }

    /** Real child processes of this JVM (signalled by pid with kill(1)), named as the core's supervisor names them. */
    private static final class Processes implements ProcessSupervisor {
        final Map<String, Child> started = new HashMap<>();

        @Override
        public SupervisedProcess start(String key, List<String> command, Map<String, String> environment,
                Path workingDir, Path log) throws IOException {
            Child c = new Child(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            started.put(key, c);
            return c;
        }

        @Override
        public Optional<SupervisedProcess> find(String key) {
            return Optional.ofNullable(started.get(key));
        }

        @Override
        public void forget(String key) {
            started.remove(key);
        }
    }

    private record Child(Process process) implements SupervisedProcess {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public OptionalInt exitCode() {
            return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        }

        @Override
        public void signal(String signal) {
            try {
                new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).start().waitFor(5,
                        TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        }
    }
}
