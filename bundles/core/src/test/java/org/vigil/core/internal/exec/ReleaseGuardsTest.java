package org.vigil.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.ProcessSupervisor;

/**
 * Release guards with real guard processes and real pipes: the action runs when the pipe closes without a
 * word (the JVM died; for real in the child-JVM tests, by kill -9), never when the guard is withdrawn, killed
 * or signalled, nor at a clean stop.
 */
@Timeout(90)
class ReleaseGuardsTest {

    /** How long a release may take to show after the pipe closed (a fork and an echo, under load). */
    private static final Duration RELEASED_WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ProcessRegistry registry;
    private ProcessSupervisor supervisor;
    private Path released;
    private final List<Long> pids = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new ProcessRegistry(dir.resolve("run"));
        supervisor = registry.supervisorFor("web-ip", dir.resolve("state"));
        released = dir.resolve("released");
    }

    @AfterEach
    void tearDown() {
        registry.close();
        pids.forEach(Procs::killQuietly);
    }

    /** An action that appends "released KEY" to {@link #released}. */
    private List<String> action(String key) {
        return List.of("/bin/sh", "-c", "echo \"released $1\" >> \"$0\"", released.toString(), key);
    }

    private ReleaseGuard declare(String key) throws IOException {
        supervisor.guard(key, action(key), Duration.ofSeconds(5));
        ReleaseGuard g = registry.guards().find("web-ip", key);
        pids.add(g.pid());
        // the shell ignores the catchable signals from its first line on; a signal sent before that line ran (seen
        // once under load) would test the shell's start-up, not the guard
        await().atMost(Duration.ofSeconds(10)).until(() -> ignoresTerm(g.pid()));
        return g;
    }

    /** @return true when the process ignores SIGTERM (bit 15 of SigIgn in /proc/PID/status) */
    private static boolean ignoresTerm(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (15 - 1))) != 0;
            }
        }
        return false;
    }

    private List<String> releases() throws IOException {
        return Files.exists(released) ? Files.readAllLines(released) : List.of();
    }

    @Test
    void theActionRunsOnceWhenThePipeClosesWithoutAWord() throws Exception {
        ReleaseGuard g = declare("addr");
        assertThat(Procs.sid(g.pid())).as("the guard leads its own session").isEqualTo(g.pid());

        g.cutAsIfTheNodeDied();

        await().atMost(RELEASED_WITHIN).until(() -> !releases().isEmpty());
        assertThat(g.awaitExit(RELEASED_WITHIN)).isTrue();
        assertThat(releases()).containsExactly("released addr");
        assertThat(Files.readString(dir.resolve("state/release-addr.log")))
                .contains("the node process is gone").contains("release ended, exit 0");
    }

    @Test
    void aWithdrawnGuardEndsWithoutRunningTheAction() throws Exception {
        ReleaseGuard g = declare("addr");

        supervisor.withdrawGuard("addr");

        assertThat(g.awaitExit(RELEASED_WITHIN)).as("the guard ends once withdrawn").isTrue();
        registry.close(); // and the clean stop after it withdraws nothing twice
        Thread.sleep(300);
        assertThat(releases()).isEmpty();
        assertThat(registry.guards().find("web-ip", "addr")).isNull();
    }

    @Test
    void closingTheRegistryWithdrawsEveryGuardTheJvmLivesOn() throws Exception {
        ReleaseGuard a = declare("addr");
        ReleaseGuard m = declare("mount");

        registry.close();

        assertThat(a.awaitExit(RELEASED_WITHIN)).isTrue();
        assertThat(m.awaitExit(RELEASED_WITHIN)).isTrue();
        Thread.sleep(300);
        assertThat(releases()).isEmpty();
        assertThatThrownBy(() -> supervisor.guard("late", action("late"), Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void catchableSignalsAreIgnoredAndKillEndsTheGuardWithoutReleasing() throws Exception {
        ReleaseGuard g = declare("addr");
        for (String sig : List.of("TERM", "HUP", "INT", "USR1")) {
            kill(sig, g.pid());
        }
        Thread.sleep(300);
        assertThat(g.isAlive()).as("the guard after TERM, HUP, INT, USR1").isTrue();

        kill("KILL", g.pid());

        assertThat(g.awaitExit(RELEASED_WITHIN)).isTrue();
        Thread.sleep(300);
        assertThat(releases()).as("a guard killed while the JVM lives never releases").isEmpty();

        // declared again under the same key: a new guard, since the old one has ended
        ReleaseGuard again = declare("addr");
        assertThat(again.pid()).isNotEqualTo(g.pid());
        again.cutAsIfTheNodeDied();
        await().atMost(RELEASED_WITHIN).until(() -> !releases().isEmpty());
        assertThat(releases()).containsExactly("released addr");
    }

    @Test
    void theSameDeclarationKeepsItsGuardAndAnotherReplacesItWithoutReleasing() throws Exception {
        ReleaseGuard first = declare("addr");
        ReleaseGuard same = declare("addr");
        assertThat(same).isSameAs(first);

        supervisor.guard("addr", action("addr-changed"), Duration.ofSeconds(5));
        ReleaseGuard changed = registry.guards().find("web-ip", "addr");
        pids.add(changed.pid());
        assertThat(changed.pid()).isNotEqualTo(first.pid());
        assertThat(first.awaitExit(RELEASED_WITHIN)).as("the replaced guard ends").isTrue();

        changed.cutAsIfTheNodeDied();
        await().atMost(RELEASED_WITHIN).until(() -> !releases().isEmpty());
        Thread.sleep(300);
        assertThat(releases()).containsExactly("released addr-changed");
    }

    @Test
    void anActionIsCutAtItsBound() throws Exception {
        supervisor.guard("slow", List.of("sleep", "60"), Duration.ofMillis(500));
        ReleaseGuard g = registry.guards().find("web-ip", "slow");
        pids.add(g.pid());

        g.cutAsIfTheNodeDied();

        assertThat(g.awaitExit(Duration.ofSeconds(15))).as("the guard ends within the bound plus the KILL grace").isTrue();
        assertThat(Files.readString(dir.resolve("state/release-slow.log"))).contains("release ended, exit 124");
    }

    @Test
    void badDeclarationsAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> supervisor.guard("a b", action("x"), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key 'a b'")
                .hasMessageContaining("web-ip");
        assertThatThrownBy(() -> supervisor.guard("x", List.of(), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty command");
        assertThatThrownBy(() -> supervisor.guard("x", action("x"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> supervisor.guard("x", action("x"), Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 60 s");
        assertThatThrownBy(() -> supervisor.guard("x", List.of("no-such-program-vigil"), Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("no-such-program-vigil");
        assertThat(registry.guards().find("web-ip", "x")).isNull();
    }

    @Test
    void kill9OfTheJvmRunsEveryActionOnceAndANewRegistryWaitsForThem() throws Exception {
        Process jvm = child("wait", 1500);
        try {
            kill("KILL", jvm.pid());
            assertThat(jvm.waitFor(5, TimeUnit.SECONDS)).isTrue();

            // a restart in place: the new process of this node begins only once the releases ended
            ProcessRegistry next = new ProcessRegistry(dir.resolve("run"));
            next.close();
            assertThat(releases()).as("releases done when the new registry was ready")
                    .containsExactlyInAnyOrder("released addr", "released mount");
            Thread.sleep(300);
            assertThat(releases()).hasSize(2);
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void aCleanStopOfTheJvmRunsNoAction() throws Exception {
        Process jvm = child("clean", 0);
        try {
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("the child stopped cleanly").isTrue();
            assertThat(jvm.exitValue()).isZero();
            // the guards' end is what any release would have followed
            assertThat(ReleaseGuards.awaitLeftovers(dir.resolve("run").toAbsolutePath().toString(),
                    Duration.ofSeconds(10))).isEmpty();
            Thread.sleep(300);
            assertThat(releases()).isEmpty();
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Starts {@link GuardChild} and waits until it declared its guards. */
    private Process child(String mode, long delayMillis) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = dir.resolve("child.out");
        Process jvm = new ProcessBuilder(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-cp", cp,
                GuardChild.class.getName(), dir.toString(), mode, Long.toString(delayMillis))
                .redirectOutput(out.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !jvm.isAlive() || Files.readString(out).contains("GUARDED"));
        assertThat(Files.readString(out)).as("child JVM output").contains("GUARDED");
        return jvm;
    }

    private static void kill(String signal, long pid) {
        CommandResult r = CommandRunner.run(List.of("kill", "-s", signal, Long.toString(pid)), Duration.ofSeconds(5));
        assertThat(r.succeeded()).as(r.toString()).isTrue();
    }
}
