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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;

/** ManagedServer.stop against real programs: one that ends on TERM, one that ignores it. */
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
