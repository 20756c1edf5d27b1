package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;

/**
 * The start-up wait and the wait after gaining quorum (two heartbeat intervals, so that peers hear of it first)
 * run side by side: the engine tracks since when this node has had quorum on every tick, also while it still
 * waits out its start-up. One engine on a virtual clock, driven tick by tick as the simulation drives it.
 */
class EngineStartupQuorumTest {

    private static final long INTERVAL = 100;
    private static final long DEAD_TIME = 1_000;
    private static final long SETTLE = DEAD_TIME + 2 * INTERVAL;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(10_000);

    @Test
    void aNodeQuorateThroughoutItsStartUpWaitMayStartGroupsAsSoonAsTheWaitEnds() {
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try (ProcessRegistry processes = new ProcessRegistry(dir.resolve("run"))) {
            Engine engine = new Engine("n1", dir, clock::get, new DocumentStore(dir.resolve("cluster.json"), () -> { }),
                    new MembershipTracker(INTERVAL, DEAD_TIME), processes, new Alerts("n1"), workers, SETTLE, () -> { });
            // A cluster of one voting member: this node has quorum from its first tick.
            engine.quorum().configure(new Quorum.Settings(Map.of("n1", 1), "", 5_000));
            long start = clock.get();

            engine.tickOnce();
            assertThat(engine.status().snapshot().quorum().has()).as("quorum from the first tick").isTrue();
            assertThat(engine.status().snapshot().settled()).as("within the start-up wait").isFalse();

            clock.set(start + SETTLE - 1);
            engine.tickOnce();
            assertThat(engine.status().snapshot().settled()).as("1 ms before the start-up wait ends").isFalse();

            clock.set(start + SETTLE);
            engine.tickOnce();
            assertThat(engine.status().snapshot().settled())
                    .as("the start-up wait is over and quorum has been held for longer than two heartbeat intervals")
                    .isTrue();
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void aNodeThatGainsQuorumOnlyWhenItsStartUpWaitEndsWaitsTwoHeartbeatIntervalsMore() {
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try (ProcessRegistry processes = new ProcessRegistry(dir.resolve("run"))) {
            Engine engine = new Engine("n1", dir, clock::get, new DocumentStore(dir.resolve("cluster.json"), () -> { }),
                    new MembershipTracker(INTERVAL, DEAD_TIME), processes, new Alerts("n1"), workers, SETTLE, () -> { });
            // Two voting members, the other never heard and no tie-breaker: no quorum during the start-up wait.
            engine.quorum().configure(new Quorum.Settings(Map.of("n1", 1, "n2", 1), "", 5_000));
            long start = clock.get();
            engine.tickOnce();
            assertThat(engine.status().snapshot().quorum().has()).as("half the votes, no tie-breaker").isFalse();

            clock.set(start + SETTLE);
            engine.quorum().configure(new Quorum.Settings(Map.of("n1", 1), "", 5_000)); // n2 removed: quorum now
            engine.tickOnce();
            assertThat(engine.status().snapshot().quorum().has()).isTrue();
            assertThat(engine.status().snapshot().settled()).as("quorum just gained: its report has not gone out yet")
                    .isFalse();

            clock.set(start + SETTLE + 2 * INTERVAL);
            engine.tickOnce();
            assertThat(engine.status().snapshot().settled()).as("two heartbeat intervals after gaining quorum").isTrue();
        } finally {
            workers.shutdownNow();
        }
    }
}
