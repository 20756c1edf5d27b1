package org.vigil.resource.process.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.tck.TestResourceContext;

/** The handler driven through the core's real process registry, with real programs. */
@Timeout(60)
class ProcessHandlerTest {

    private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private Path state;
    private ProcessRegistry registry;
    private final ProcessResourceType type = new ProcessResourceType();
    private final List<Long> pids = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        state = tmp.resolve("state");
        registry = new ProcessRegistry(tmp.resolve("run"));
    }

    @AfterEach
    void tearDown() throws Exception {
        registry.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private TestContext context(String... keyValues) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        assertThat(type.validate(new TestContext(registry, state, type.describe(), p).parameters()).isOk()).isTrue();
        return new TestContext(registry, state, type.describe(), p);
    }

    private ResourceHandler handler(String... keyValues) {
        return type.createHandler(context(keyValues));
    }

    private static OperationResult start(ResourceHandler h) {
        return h.start(TestResourceContext.op(Duration.ofSeconds(20)));
    }

    private static OperationResult stop(ResourceHandler h) {
        return h.stop(TestResourceContext.op(Duration.ofSeconds(20)));
    }

    private static OperationResult monitor(ResourceHandler h) {
        return h.monitor(TestResourceContext.op(Duration.ofSeconds(10)));
    }

    /** @return the live program, remembered for cleanup */
    private SupervisedProcess program() {
        SupervisedProcess p = registry.supervisorFor("web", state).find(ProcessHandler.MAIN).orElseThrow();
        pids.add(p.pid());
        return p;
    }

    private long awaitPidFile(Path file) throws IOException {
        await().atMost(GONE_WITHIN).until(() -> Files.exists(file) && Files.size(file) > 0);
        long pid = Long.parseLong(Files.readString(file).strip());
        pids.add(pid);
        return pid;
    }

    /** Zombies count as gone: PID 1 of a container may never reap orphans. */
    private static boolean isGone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void everyOperationIsIdempotent() {
        ResourceHandler h = handler("command", "exec sleep 300");
        assertThat(monitor(h)).isEqualTo(OperationResult.notRunning());
        assertThat(stop(h).isOk()).as("stop when never started").isTrue();

        assertThat(start(h)).isEqualTo(OperationResult.ok());
        long pid = program().pid();
        assertThat(start(h)).as("start when running").isEqualTo(OperationResult.ok());
        assertThat(program().pid()).isEqualTo(pid);
        assertThat(monitor(h)).isEqualTo(OperationResult.ok());

        assertThat(stop(h)).isEqualTo(OperationResult.ok());
        assertThat(isGone(pid)).isTrue();
        assertThat(stop(h)).as("stop when stopped").isEqualTo(OperationResult.ok());
        assertThat(monitor(h)).as("monitor when cleanly stopped").isEqualTo(OperationResult.notRunning());

        assertThat(start(h).isOk()).isTrue();
        assertThat(program().pid()).as("a new start begins afresh").isNotEqualTo(pid);
    }

    @Test
    void aProgramThatDiesOnItsOwnIsFailedUntilStopped() throws Exception {
        ResourceHandler h = handler("command", "echo started; exec sleep 300");
        assertThat(start(h).isOk()).isTrue();
        SupervisedProcess p = program();
        p.signal("KILL");
        assertThat(p.awaitExit(GONE_WITHIN)).isTrue();

        OperationResult m = monitor(h);
        assertThat(m.code()).isEqualTo(ResultCode.FAILED);
        assertThat(m.message()).isEqualTo("exited unexpectedly with status 137; last output: started");
        assertThat(monitor(h).code()).as("still failed on the next monitor").isEqualTo(ResultCode.FAILED);

        assertThat(stop(h).isOk()).isTrue();
        assertThat(monitor(h)).isEqualTo(OperationResult.notRunning());
        assertThat(start(h).isOk()).as("restart after a failure").isTrue();
        assertThat(monitor(h).isOk()).isTrue();
    }

    @Test
    void aCommandThatFailsAtOnceFailsItsStart() {
        OperationResult r = start(handler("command", "echo boom >&2; exit 3"));
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).isEqualTo("exited during start with status 3; last output: boom");

        OperationResult missing = start(handler("command", "vigil-no-such-program --flag"));
        assertThat(missing.code()).isEqualTo(ResultCode.FAILED);
        assertThat(missing.message()).contains("status 127").contains("vigil-no-such-program").contains("not found")
                .doesNotContain("boom"); // only what this run wrote is quoted
    }

    @Test
    void passesEnvironmentWorkingDirectoryAndLogsToTheDefaultFile() throws Exception {
        Path wd = Files.createDirectories(tmp.resolve("wd"));
        ResourceHandler h = handler("command", "echo \"$VIGIL_RESOURCE $VIGIL_GROUP $VIGIL_NODE $FOO $(pwd)\";"
                + " exec sleep 300", "environment", "FOO=bar baz;X=1", "working-directory", wd.toString());
        assertThat(start(h).isOk()).isTrue();
        Path log = state.resolve("output.log");
        await().atMost(GONE_WITHIN).until(() -> Files.exists(log) && !Files.readString(log).isEmpty());
        assertThat(Files.readString(log)).isEqualTo("web frontend node-a bar baz " + wd.toRealPath() + "\n");
        assertThat(stop(h).isOk()).isTrue();
    }

    @Test
    void aMissingWorkingDirectoryIsNotInstalled() {
        OperationResult r = start(handler("command", "exec sleep 300", "working-directory",
                tmp.resolve("nope").toString()));
        assertThat(r.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(r.message()).startsWith("working-directory: ");
    }

    @Test
    void stopEscalatesToKillWhenTheSignalIsIgnored() {
        Path log = tmp.resolve("custom.log");
        ResourceHandler h = handler("command", "trap '' TERM; echo up; exec sleep 300", "log-file", log.toString());
        assertThat(start(h).isOk()).isTrue();
        long pid = program().pid();
        long t0 = System.nanoTime();
        OperationResult r = h.stop(TestResourceContext.op(Duration.ofMillis(2500)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code()).as(r.toString()).isEqualTo(ResultCode.OK);
        assertThat(r.message()).contains("killed");
        assertThat(ms).isBetween(1300L, 4000L);
        assertThat(isGone(pid)).isTrue();
        assertThat(monitor(h)).isEqualTo(OperationResult.notRunning());
        assertThat(log).content().isEqualTo("up\n");
    }

    @Test
    void stopSendsTheConfiguredSignalToTheGroup() throws Exception {
        ResourceHandler h = handler("command", "trap 'echo got INT; exit 0' INT; sleep 300 & echo $! > gc.pid; wait",
                "stop-signal", "INT");
        assertThat(start(h).isOk()).isTrue();
        long grandchild = awaitPidFile(state.resolve("gc.pid"));
        assertThat(stop(h)).isEqualTo(OperationResult.ok());
        assertThat(state.resolve("output.log")).content().contains("got INT");
        await().atMost(GONE_WITHIN).until(() -> isGone(grandchild));
    }

    @Test
    void stopRunsTheStopCommandWithTheProgramsEnvironment() throws Exception {
        ResourceHandler h = handler("command", "exec sleep 300", "environment", "FOO=bar",
                "stop-command", "echo \"$VIGIL_PID $VIGIL_RESOURCE $FOO\" > stopped.txt; kill $VIGIL_PID");
        assertThat(start(h).isOk()).isTrue();
        long pid = program().pid();
        assertThat(stop(h)).isEqualTo(OperationResult.ok());
        assertThat(isGone(pid)).isTrue();
        assertThat(state.resolve("stopped.txt")).content().isEqualTo(pid + " web bar\n");
    }

    @Test
    void aFailingStopCommandStillEndsInKill() {
        ResourceHandler h = handler("command", "exec sleep 300", "stop-command", "echo nope >&2; exit 1");
        assertThat(start(h).isOk()).isTrue();
        long pid = program().pid();
        OperationResult r = h.stop(TestResourceContext.op(Duration.ofSeconds(2)));
        assertThat(r.code()).isEqualTo(ResultCode.OK);
        assertThat(r.message()).contains("stop-command exit 1: nope").contains("killed");
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void checkTcpGatesStartAndMonitor() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(server);
        ResourceHandler h = handler("command", "exec sleep 300", "check-tcp", "127.0.0.1:" + server.getLocalPort(),
                "check-timeout", "500ms");
        assertThat(start(h)).isEqualTo(OperationResult.ok());
        assertThat(monitor(h)).isEqualTo(OperationResult.ok());
        server.close();
        OperationResult m = monitor(h);
        assertThat(m.code()).isEqualTo(ResultCode.FAILED);
        assertThat(m.message()).startsWith("check-tcp 127.0.0.1:" + server.getLocalPort() + ": ");
        assertThat(stop(h).isOk()).isTrue();
    }

    @Test
    void startWaitsForTheCheckToPass() throws Exception {
        int port = freePort();
        AtomicInteger opened = new AtomicInteger();
        // The service comes up 600 ms after the start: the test plays it, the handler must wait for it.
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
            try {
                ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
                closeables.add(s);
                opened.incrementAndGet();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, CompletableFuture.delayedExecutor(600, TimeUnit.MILLISECONDS));
        ResourceHandler h = handler("command", "exec sleep 300", "check-tcp", "localhost:" + port);
        long t0 = System.nanoTime();
        OperationResult r = start(h);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        later.get(5, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(OperationResult.ok());
        assertThat(opened).hasValue(1);
        assertThat(ms).isBetween(500L, 5000L);
    }

    @Test
    void aCheckThatNeverPassesFailsTheStartWithinItsTimeout() throws Exception {
        int port = freePort();
        ResourceHandler h = handler("command", "exec sleep 300", "check-tcp", "127.0.0.1:" + port);
        long t0 = System.nanoTime();
        OperationResult r = h.start(TestResourceContext.op(Duration.ofSeconds(1)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("not ready within the start timeout: check-tcp 127.0.0.1:" + port);
        assertThat(ms).isBetween(900L, 3000L);
        assertThat(stop(h)).as("the core stops a failed start").isEqualTo(OperationResult.ok());
    }

    @Test
    void aProgramDyingWhileTheCheckWaitsFailsTheStartAtOnce() throws Exception {
        ResourceHandler h = handler("command", "echo crashing; sleep 0.3; exit 4", "check-tcp",
                "127.0.0.1:" + freePort());
        long t0 = System.nanoTime();
        OperationResult r = start(h);
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos());
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).isEqualTo("exited during start with status 4; last output: crashing");
    }

    @Test
    void checkHttpAcceptsSuccessAndRedirectsAndFailsOnErrors() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            exchange.getResponseHeaders().add("Location", "/elsewhere");
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        closeables.add(() -> server.stop(0));
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";

        ResourceHandler h = handler("command", "exec sleep 300", "check-http", url);
        assertThat(start(h)).isEqualTo(OperationResult.ok());
        status.set(302);
        assertThat(monitor(h)).isEqualTo(OperationResult.ok());
        status.set(503);
        assertThat(monitor(h)).isEqualTo(OperationResult.failed("check-http " + url + ": status 503"));
        assertThat(stop(h).isOk()).isTrue();
    }

    @Test
    void aNewHandlerFindsTheProgramOfTheOldOne() {
        TestContext ctx = context("command", "exec sleep 300");
        assertThat(type.createHandler(ctx).start(TestResourceContext.op(Duration.ofSeconds(20))).isOk()).isTrue();
        long pid = program().pid();
        // The bundle was updated: a fresh handler for the same resource
        ResourceHandler successor = type.createHandler(ctx);
        assertThat(monitor(successor)).isEqualTo(OperationResult.ok());
        assertThat(stop(successor)).isEqualTo(OperationResult.ok());
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void monitorIsCheapAndDoesNotFork() {
        ResourceHandler h = handler("command", "exec sleep 300");
        assertThat(start(h).isOk()).isTrue();
        long before = ProcessHandle.current().children().count();
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(monitor(h).isOk()).isTrue();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("1000 monitors").isLessThan(1000);
        assertThat(ProcessHandle.current().children().count()).isEqualTo(before);
    }
}
