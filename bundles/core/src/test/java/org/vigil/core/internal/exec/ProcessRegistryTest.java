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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.SupervisedProcess;

@Timeout(60)
class ProcessRegistryTest {

    private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private ProcessRegistry registry;
    private ProcessSupervisor supervisor;
    /** Every pid a test learned of, killed in tearDown should the test have failed half way. */
    private final List<Long> pids = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new ProcessRegistry(dir.resolve("run"));
        supervisor = registry.supervisorFor("web", dir.resolve("state"));
    }

    @AfterEach
    void tearDown() {
        registry.close();
        pids.forEach(Procs::killQuietly);
    }

    private SupervisedProcess start(String key, String script) throws IOException {
        SupervisedProcess p = supervisor.start(key, List.of("/bin/sh", "-c", script), Map.of(), dir,
                dir.resolve(key + ".log"));
        pids.add(p.pid());
        return p;
    }

    private long awaitPidFile(String name) throws IOException {
        Path file = dir.resolve(name);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && Files.size(file) > 0);
        long pid = Procs.readPid(file);
        pids.add(pid);
        return pid;
    }

    private static void awaitGone(long pid) {
        await().atMost(GONE_WITHIN).pollInterval(Duration.ofMillis(20)).until(() -> Procs.isGone(pid));
    }

    @Test
    void aProgramThatCouldNotBeLaunchedIsToldApartFromOneThatFailed() throws Exception {
        // An environment larger than the kernel takes for an exec (E2BIG): the launch itself fails, as it
        // does when the JDK's spawn helper is replaced under the JVM; the program never ran.
        Map<String, String> huge = Map.of("VIGIL_TEST_HUGE", "x".repeat(4 * 1024 * 1024));
        assertThatThrownBy(() -> supervisor.start("main", List.of("/bin/sh", "-c", "exit 0"), huge, dir, null))
                .isInstanceOf(IOException.class);
        assertThat(registry.takeLaunchFailure("web")).as("the launch failure, for the engine").isNotBlank();
        assertThat(registry.takeLaunchFailure("web")).as("taken once").isNull();

        SupervisedProcess failing = start("main", "exit 3"); // launched, then failed: not a launch failure
        pids.add(failing.pid());
        assertThat(registry.takeLaunchFailure("web")).isNull();
        assertThat(registry.supervisorFor("other", dir.resolve("other")).find("main")).isEmpty();
    }

    @Test
    void theProgramKeepsTheLifelinePidAndLeadsItsOwnSessionAndGroup() throws Exception {
        SupervisedProcess p = start("main", "exec sleep 300");
        // setsid did not fork: the pid the JVM knows is the program's, and it leads group and session
        await().atMost(GONE_WITHIN).until(() -> Files.readString(Path.of("/proc/" + p.pid() + "/comm")).strip()
                .equals("sleep"));
        assertThat(Procs.pgid(p.pid())).isEqualTo(p.pid());
        assertThat(Procs.sid(p.pid())).isEqualTo(p.pid());
        assertThat(p.isAlive()).isTrue();
        assertThat(p.exitCode()).isEmpty();
    }

    @Test
    void theProgramHoldsNoEndOfAnyLifeline() throws Exception {
        SupervisedProcess a = start("a", "exec sleep 300");
        SupervisedProcess b = start("b", "exec sleep 301");
        // settled: each program has replaced its lifeline shell, and the env probe has ended
        for (SupervisedProcess p : List.of(a, b)) {
            await().atMost(GONE_WITHIN).until(() -> Files.readString(Path.of("/proc/" + p.pid() + "/comm")).strip()
                    .equals("sleep") && Procs.liveMembers(p.pid()).size() == 3);
        }

        Path logA = dir.resolve("a.log").toRealPath();
        assertThat(Procs.fds(a.pid())).containsExactly("0=/dev/null", "1=" + logA, "2=" + logA);

        // Each group: the program, the watcher subshell and its cat, and the pipes only within its own group.
        Set<String> pipesA = pipesOf(a.pid());
        Set<String> pipesB = pipesOf(b.pid());
        assertThat(pipesA).hasSize(1);
        assertThat(pipesB).hasSize(1).doesNotContainAnyElementsOf(pipesA);
    }

    /** @return every pipe held open by a live member of the group */
    private static Set<String> pipesOf(long pgid) throws IOException {
        List<String> all = new ArrayList<>();
        for (long member : Procs.liveMembers(pgid)) {
            all.addAll(Procs.fds(member));
        }
        return all.stream().map(fd -> fd.substring(fd.indexOf('=') + 1)).filter(t -> t.startsWith("pipe:"))
                .collect(Collectors.toSet());
    }

    @Test
    void theProgramStartsWithCleanSignalHandling() throws Exception {
        SupervisedProcess p = start("main", "exec sleep 300");
        await().atMost(GONE_WITHIN).until(() -> Files.readString(Path.of("/proc/" + p.pid() + "/comm")).strip()
                .equals("sleep"));
        // Without env --default-signal the JDK's child would have SIGQUIT (bit 2) blocked.
        assertThat(Procs.status(p.pid(), "SigBlk")).isEqualTo("0000000000000000");
        long ignored = Long.parseUnsignedLong(Procs.status(p.pid(), "SigIgn"), 16);
        assertThat(ignored & 0x7fffffffL).as("signals 1-31 ignored (bit n is signal n+1)").isZero();
        p.signal("QUIT");
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(p.exitCode()).hasValue(128 + 3);
    }

    @Test
    void startIsIdempotentWhileTheProgramRuns() throws Exception {
        SupervisedProcess first = start("main", "exec sleep 300");
        SupervisedProcess second = start("main", "exec sleep 999");
        assertThat(second.pid()).isEqualTo(first.pid());
        assertThat(supervisor.find("main")).containsSame(first);
        assertThat(registry.resourcesWithLivePrograms()).containsExactly("web");
    }

    @Test
    void keysAreScopedByResource() throws Exception {
        SupervisedProcess web = start("main", "exec sleep 300");
        ProcessSupervisor db = registry.supervisorFor("db", dir.resolve("db"));
        SupervisedProcess other = db.start("main", List.of("sleep", "300"), Map.of(), null, null);
        pids.add(other.pid());
        assertThat(other.pid()).isNotEqualTo(web.pid());
        assertThat(Files.isDirectory(dir.resolve("db"))).as("default working directory created").isTrue();
        assertThat(registry.resourcesWithLivePrograms()).containsExactlyInAnyOrder("web", "db");
    }

    @Test
    void signalTermStopsTheProgramAndItsGroupDisappears() throws Exception {
        SupervisedProcess p = start("main", "exec sleep 300");
        p.signal("TERM");
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(p.isAlive()).isFalse();
        assertThat(p.exitCode()).hasValue(128 + 15);
        await().atMost(GONE_WITHIN).until(() -> Procs.liveMembers(p.pid()).isEmpty());
        p.signal("KILL"); // after the end: a no-op, never an error
    }

    @Test
    void aSignalSentTheMomentStartReturnsIsNeverLost() throws Exception {
        // start returns only once the program leads its own process group, so a group signal finds it.
        for (int i = 0; i < 30; i++) {
            SupervisedProcess p = start("race-" + i, "exec sleep 300");
            assertThat(Procs.pgid(p.pid())).isEqualTo(p.pid());
            p.signal("TERM");
            assertThat(p.awaitExit(GONE_WITHIN)).as("round %d", i).isTrue();
        }
    }

    @Test
    void aGroupSignalAlsoReachesGrandchildren() throws Exception {
        SupervisedProcess p = start("main", "sleep 300 & echo $! > gc.pid; wait");
        long grandchild = awaitPidFile("gc.pid");
        assertThat(Procs.pgid(grandchild)).isEqualTo(p.pid());
        p.signal("SIGTERM");
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        awaitGone(grandchild);
    }

    @Test
    void whatAnEndedProgramLeftBehindIsKilled() throws Exception {
        // The program exits at once; its background child would run on without the lifeline.
        SupervisedProcess p = start("main", "sleep 300 & echo $! > gc.pid");
        long grandchild = awaitPidFile("gc.pid");
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(p.exitCode()).hasValue(0);
        awaitGone(grandchild);
    }

    @Test
    void stopSignalsDoNotCutTheLifeline() throws Exception {
        // The program ignores TERM, so the group TERM reaches only the watcher, which must ignore it too.
        SupervisedProcess p = start("main", "trap '' TERM HUP INT USR1; echo ready; while :; do sleep 1; done");
        await().atMost(GONE_WITHIN).until(() -> Files.readString(dir.resolve("main.log")).contains("ready"));
        for (String sig : List.of("TERM", "HUP", "INT", "USR1")) {
            p.signal(sig);
        }
        assertThat(p.awaitExit(Duration.ofMillis(500))).isFalse();
        assertThat(Procs.liveMembers(p.pid())).hasSizeGreaterThanOrEqualTo(3);
        registry.close();
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(p.exitCode()).hasValue(128 + 9);
        await().atMost(GONE_WITHIN).until(() -> Procs.liveMembers(p.pid()).isEmpty());
    }

    @Test
    void rejectsSignalsThatAreNotNames() throws Exception {
        SupervisedProcess p = start("main", "exec sleep 300");
        assertThatThrownBy(() -> p.signal("TERM; reboot")).isInstanceOf(IllegalArgumentException.class);
        assertThat(p.isAlive()).isTrue();
    }

    @Test
    void theLogFileReceivesOutputAndErrorAppended() throws Exception {
        SupervisedProcess first = start("main", "echo hello; echo oops >&2");
        assertThat(first.awaitExit(GONE_WITHIN)).isTrue();
        supervisor.forget("main");
        SupervisedProcess second = start("main", "echo again");
        assertThat(second.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(second.pid()).isNotEqualTo(first.pid());
        assertThat(Files.readString(dir.resolve("main.log"))).isEqualTo("hello\noops\nagain\n");
    }

    @Test
    void passesTheEnvironmentAndWorkingDirectory() throws Exception {
        Path wd = Files.createDirectory(dir.resolve("wd"));
        SupervisedProcess p = supervisor.start("main", List.of("/bin/sh", "-c", "echo \"$FOO $(pwd)\""),
                Map.of("FOO", "bar"), wd, dir.resolve("env.log"));
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(Files.readString(dir.resolve("env.log"))).isEqualTo("bar " + wd.toRealPath() + "\n");
    }

    @Test
    void aMissingExecutableFailsTheStart() {
        assertThatThrownBy(() -> supervisor.start("main", List.of("vigil-no-such-program"), Map.of(), dir, null))
                .isInstanceOf(IOException.class).hasMessageContaining("vigil-no-such-program");
        assertThatThrownBy(() -> supervisor.start("main", List.of("./nope"), Map.of(), dir, null))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> supervisor.start("main", List.of("sleep", "1"), Map.of(), dir.resolve("missing"),
                null)).isInstanceOf(IOException.class).hasMessageContaining("missing");
        assertThat(supervisor.find("main")).isEmpty();
    }

    @Test
    void forgetDropsOnlyEndedPrograms() throws Exception {
        SupervisedProcess p = start("main", "exec sleep 300");
        supervisor.forget("main");
        assertThat(supervisor.find("main")).containsSame(p);

        p.signal("KILL");
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(supervisor.find("main")).containsSame(p); // an ended program stays visible: it died
        assertThat(registry.resourcesWithLivePrograms()).isEmpty();
        supervisor.forget("main");
        assertThat(supervisor.find("main")).isEmpty();
        supervisor.forget("never-started");
    }

    @Test
    void startAfterTheProgramEndedStartsAfresh() throws Exception {
        SupervisedProcess first = start("main", "exit 7");
        assertThat(first.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(first.exitCode()).hasValue(7);
        SupervisedProcess second = start("main", "exec sleep 300");
        assertThat(second.pid()).isNotEqualTo(first.pid());
        assertThat(second.isAlive()).isTrue();
    }

    @Test
    void closeKillsEverythingAndRefusesNewStarts() throws Exception {
        SupervisedProcess a = start("a", "sleep 300 & echo $! > gc.pid; wait");
        SupervisedProcess b = start("b", "exec sleep 300");
        long grandchild = awaitPidFile("gc.pid");
        registry.close();
        assertThat(a.awaitExit(GONE_WITHIN)).isTrue();
        assertThat(b.awaitExit(GONE_WITHIN)).isTrue();
        awaitGone(grandchild);
        assertThatThrownBy(() -> start("c", "exec sleep 300")).isInstanceOf(IOException.class);
        registry.close();
    }

    /** THE KEY TEST: the node process dies by kill -9; its programs must not run on unsupervised. */
    @Test
    void programsDieWithTheJvmEvenOnKill9() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = dir.resolve("child.out");
        Process jvm = new ProcessBuilder(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-cp", cp,
                LifelineChild.class.getName(), dir.toString())
                .redirectOutput(out.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long program = -1;
        long grandchild = -1;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !jvm.isAlive()
                    || Files.readString(out).contains("PID "));
            String printed = Files.readString(out);
            assertThat(printed).as("child JVM output").contains("PID ");
            program = Long.parseLong(printed.substring(printed.indexOf("PID ") + 4).strip());
            pids.add(program);
            grandchild = awaitPidFile("grandchild.pid");
            assertThat(Procs.isGone(program)).isFalse();
            assertThat(Procs.isGone(grandchild)).isFalse();
            assertThat(Procs.pgid(grandchild)).isEqualTo(program);

            CommandResult kill = CommandRunner.run(List.of("kill", "-9", Long.toString(jvm.pid())),
                    Duration.ofSeconds(5));
            assertThat(kill.succeeded()).as(kill.toString()).isTrue();
            assertThat(jvm.waitFor(5, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            awaitGone(program);
            awaitGone(grandchild);
            long pg = program;
            await().atMost(GONE_WITHIN).until(() -> Procs.liveMembers(pg).isEmpty());
            System.out.printf("program and grandchild gone %d ms after the JVM was reaped%n",
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            jvm.destroyForcibly();
        }
    }
}
