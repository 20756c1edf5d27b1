package org.vigil.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The small parts of the REST API, each alone: JSON, the shell's outcome line, operations, login throttling, config. */
class RestPartsTest {

    @Test
    void jsonReadsWhatClientsSendAndWritesEscaped() throws Exception {
        assertThat(JsonText.parse("{\"a\": [1, 2.5, true, null, \"x\\u00e9\\n\"], \"b\": {}}"))
                .isEqualTo(Map.of("a", java.util.Arrays.asList(1L, 2.5, true, null, "x\u00e9\n"), "b", Map.of()));
        assertThatThrownBy(() -> JsonText.parse("{\"a\": 1,}")).hasMessageContaining("offset 8");
        assertThatThrownBy(() -> JsonText.parse("[".repeat(40))).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> JsonText.parse("{} {}")).hasMessageContaining("after the value");
        assertThat(JsonText.write(Map.of("e", "a\"b\u0001\u2028"))).isEqualTo("{\"e\":\"a\\\"b\\u0001\\u2028\"}");
    }

    @Test
    void theOutcomeLineIsTakenOffTheOutput() {
        ShellRunner.Result ok = ShellRunner.parse("group web brought out\nTOKEN exit 0\n", "TOKEN", null);
        assertThat(ok.ok()).isTrue();
        assertThat(ok.output()).isEqualTo("group web brought out\n");
        ShellRunner.Result rejected = ShellRunner.parse("TOKEN exit 3\n", "TOKEN", "no group named 'x'");
        assertThat(rejected.ok()).isFalse();
        assertThat(rejected.exit()).isEqualTo(ShellRunner.REJECTED);
        ShellRunner.Result none = ShellRunner.parse("Command not found: vigil:x\n", "TOKEN", null);
        assertThat(none.exit()).isEqualTo(ShellRunner.UNKNOWN);
        assertThat(none.error()).isNotNull();
    }

    @Test
    void operationsAreBoundedInNumberAndAge() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Operations ops = new Operations(2, Duration.ofSeconds(60), now::get, pool);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            Operations.Operation slow = ops.submit("alice", "vigil:switchover web", () -> {
                await(release);
                return new ShellRunner.Result(0, "moved\n", null);
            }, o -> ended.countDown());
            Operations.Operation fast = ops.submit("alice", "vigil:bring-in --wait 5 db",
                    () -> new ShellRunner.Result(3, "", "no group named 'db'"), o -> { });
            awaitState(ops, fast.id, Operations.State.REJECTED);
            assertThat(ops.get(slow.id).state()).isEqualTo(Operations.State.RUNNING);
            // full: the finished one makes room, the running one stays
            Operations.Operation third = ops.submit("bob", "vigil:fence node2", () -> {
                await(release);
                return new ShellRunner.Result(5, "", "no answer");
            }, o -> { });
            assertThat(ops.get(fast.id)).isNull();
            assertThatThrownBy(() -> ops.submit("bob", "x", () -> null, o -> { })).isInstanceOf(ApiError.class)
                    .hasMessageContaining("still running");
            release.countDown();
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            awaitState(ops, third.id, Operations.State.FAILED);
            assertThat(ops.get(slow.id).toMap()).containsEntry("state", "succeeded").containsEntry("output", "moved\n")
                    .containsEntry("user", "alice");
            now.set(now.get().plusSeconds(61));
            assertThat(ops.all()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitState(Operations ops, String id, Operations.State state) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ops.get(id).state() != state && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(ops.get(id).state()).isEqualTo(state);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void failedLoginsAreDelayedMoreEachTimeThenRefusedUntilTheWindowPasses() {
        AtomicLong ms = new AtomicLong(1_000_000);
        LoginThrottle t = new LoginThrottle(3, ms::get);
        assertThat(t.failed("192.0.2.1")).isEqualTo(250);
        assertThat(t.failed("192.0.2.1")).isEqualTo(500);
        assertThat(t.lockedOut("192.0.2.1")).isFalse();
        assertThat(t.failed("192.0.2.1")).isEqualTo(1000);
        assertThat(t.lockedOut("192.0.2.1")).isTrue();
        assertThat(t.lockedOut("192.0.2.2")).isFalse();
        ms.addAndGet(LoginThrottle.WINDOW_MS + 1);
        assertThat(t.lockedOut("192.0.2.1")).isFalse();
        for (int i = 0; i < 20; i++) {
            assertThat(t.failed("192.0.2.3")).isLessThanOrEqualTo(LoginThrottle.MAX_DELAY_MS);
        }
        t.succeeded("192.0.2.3");
        assertThat(t.lockedOut("192.0.2.3")).isFalse();
        assertThat(t.totalFailures()).isEqualTo(23);
    }

    @Test
    void theConfigurationIsOffByDefaultAndEveryBadValueIsNamed() {
        RestConfig d = RestConfig.parse(Map.of("service.pid", "org.vigil.rest"));
        assertThat(d.enabled()).isFalse();
        assertThat(d.bind()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.1");
        assertThat(d.port()).isEqualTo(8443);
        assertThat(d.adminRoles()).containsExactly("vigil-admin");
        RestConfig two = RestConfig.parse(Map.of("enabled", "true", "bind", "192.0.2.5, ::1", "port", "9443"));
        assertThat(two.bind()).hasSize(2);
        assertThatThrownBy(() -> RestConfig.parse(Map.of("enabled", "yes", "bind", "example.org", "port", "70000",
                "colour", "red", "keystore", "/x.p12")))
                .hasMessageContaining("enabled = 'yes'")
                .hasMessageContaining("bind = 'example.org'")
                .hasMessageContaining("port = '70000'")
                .hasMessageContaining("unknown key 'colour'")
                .hasMessageContaining("keystore.password-file");
        assertThat(RestConfig.parse(Map.of("felix.fileinstall.filename", "f", "org.apache.karaf.features.configKey", "k",
                "osgi.ds.satisfying.condition.target", "t")).enabled()).isFalse();
        assertThat(ApiHandler.basic("Basic dmlld2VyOnA6dw==")).containsExactly("viewer", "p:w");
        assertThat(ApiHandler.basic("Bearer x")).isNull();
        assertThat(ApiHandler.basic("Basic !!!")).isNull();
    }
}
