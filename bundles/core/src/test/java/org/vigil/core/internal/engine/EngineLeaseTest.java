package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.membership.Lease;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.policy.NodeReport;

/**
 * The lease on one engine driven tick by tick on a virtual clock: three members, no tie-breaker. Peers that are
 * heard count toward quorum only while they acknowledge this node's frames; the tick the lease lapses every
 * supervised program is killed at once (a real program in its process group).
 */
class EngineLeaseTest {

    private static final long INTERVAL = 100;
    private static final long DEAD_TIME = 600;
    private static final long LEASE = Lease.leaseMillis(DEAD_TIME, INTERVAL);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(10_000);
    private final ExecutorService workers = Executors.newSingleThreadExecutor();
    private final MembershipTracker members = new MembershipTracker(INTERVAL, DEAD_TIME);
    private ProcessRegistry processes;

    @AfterEach
    void stop() {
        if (processes != null) {
            processes.close();
        }
        workers.shutdownNow();
    }

    /** @return one engine of node n1 on the virtual clock, quorum configured with these votes */
    private Engine engine(Map<String, Integer> votes) {
        processes = new ProcessRegistry(dir.resolve("run"));
        Engine engine = new Engine("n1", dir, clock::get, new DocumentStore(dir.resolve("cluster.json"), () -> { }),
                members, processes, new Alerts("n1"), workers, 0, () -> { });
        engine.quorum().configure(new Quorum.Settings(votes, "", 5_000));
        return engine;
    }

    @Test
    void heardPeersCountOnlyWhileTheyAcknowledgeAndTheLapseKillsEveryProgramAtOnce() throws Exception {
        assertThat(LEASE).as("the lease at the default timing").isEqualTo(450);
        Engine engine = engine(Map.of("n1", 1, "n2", 1, "n3", 1));
        NodeReport hearsN1 = new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2", "n3"));

        // n2 and n3 are heard and say they hear n1, but neither has acknowledged a frame of n1 yet.
        hear(members, "n2", hearsN1);
        hear(members, "n3", hearsN1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("heard, never acknowledged: 1 of 3 votes").isFalse();

        // n1 sends frame 1; n2 acknowledges it: 2 of 3.
        members.acks().sent(1, clock.get());
        clock.addAndGet(INTERVAL);
        hear(members, "n2", hearsN1);
        members.acks().counted("n2", 1, 2, 1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("n2 acknowledged a frame sent 100 ms ago").isTrue();

        SupervisedProcess app = processes.supervisorFor("app", dir.resolve("app"))
                .start("main", List.of("sleep", "60"), Map.of(), null, null);
        assertThat(app.isAlive()).isTrue();

        // n2 keeps sending (it is heard, within the dead time) but acknowledges nothing newer: a one-way cut.
        clock.addAndGet(LEASE - INTERVAL - 1);
        hear(members, "n2", hearsN1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("1 ms before the lease ends").isTrue();
        assertThat(app.isAlive()).isTrue();

        clock.addAndGet(1);
        hear(members, "n2", hearsN1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("the lease has lapsed, n2 is still heard").isFalse();
        assertThat(members.peers(clock.get()).get("n2").membership().isUp()).isTrue();
        ProcessHandle h = ProcessHandle.of(app.pid()).orElse(null);
        boolean gone = h == null || h.onExit().get(5, TimeUnit.SECONDS) != null;
        assertThat(gone).as("the program was killed the tick the lease lapsed").isTrue();
        assertThat(engine.status().snapshot().local()).isEmpty();
        assertThat(engine.report().report().leaseMillis()).as("the promise in its heartbeats")
                .isEqualTo(Lease.promiseMillis(DEAD_TIME, INTERVAL));
    }

    @Test
    void aPeerProvenDownThatComesBackDoesNotTakeTheLeaseAwayBeforeItAcknowledges() throws Exception {
        Engine engine = engine(Map.of("n1", 1, "n2", 1));
        NodeReport hearsN1 = new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2"));
        members.acks().sent(1, clock.get());
        hear(members, "n2", 1, hearsN1);
        members.acks().counted("n2", 1, 1, 1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).isTrue();

        // n2 goes silent and is lost; the admin confirms it down: n1 alone has quorum (n2's vote left the total).
        clock.addAndGet(DEAD_TIME + 50);
        engine.tickOnce();
        var confirmed = engine.confirmDown("n2"); // answered on the engine's thread: the next tick
        engine.tickOnce();
        confirmed.get(5, TimeUnit.SECONDS);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("1 of 1 votes: n2 confirmed down").isTrue();
        SupervisedProcess app = processes.supervisorFor("app", dir.resolve("app"))
                .start("main", List.of("sleep", "60"), Map.of(), null, null);

        // n2 restarts (a new life) and is heard before it has acknowledged anything.
        for (int i = 0; i < 10; i++) {
            clock.addAndGet(100);
            engine.tickOnce();
        }
        hear(members, "n2", 2, hearsN1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("n2 is back but has not acknowledged yet").isTrue();
        assertThat(app.isAlive()).as("n2's return did not take the lease away").isTrue();

        members.acks().sent(2, clock.get());
        clock.addAndGet(INTERVAL);
        hear(members, "n2", 2, hearsN1);
        members.acks().counted("n2", 2, 1, 2);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().detail()).startsWith("2 of 2 votes");
        assertThat(app.isAlive()).isTrue();
    }

    @Test
    void aPeerProvenDownThatComesBackButNeverAcknowledgesCountsAgainAfterTheDeadTime() throws Exception {
        Engine engine = engine(Map.of("n1", 1, "n2", 1));
        NodeReport hearsN1 = new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2"));
        engine.tickOnce();
        var confirmed = engine.confirmDown("n2"); // answered on the engine's thread: the next tick
        engine.tickOnce();
        confirmed.get(5, TimeUnit.SECONDS);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).isTrue();
        // n2 is heard but never hears n1 (a one-way cut): its vote returns to the total after the dead time.
        for (int i = 0; i <= DEAD_TIME / INTERVAL + 1; i++) {
            hear(members, "n2", 2, hearsN1);
            engine.tickOnce();
            clock.addAndGet(INTERVAL);
        }
        hear(members, "n2", 2, hearsN1);
        engine.tickOnce();
        assertThat(engine.status().snapshot().quorum().has()).as("1 of 2 votes, no tie-breaker").isFalse();
    }

    private void hear(MembershipTracker members, String peer, NodeReport report) {
        hear(members, peer, 1, report);
    }

    private void hear(MembershipTracker members, String peer, long incarnation, NodeReport report) {
        members.heard(peer, incarnation, "lan", clock.get());
        members.report(peer, incarnation, report);
    }
}
