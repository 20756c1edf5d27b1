package org.vigil.core.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of seeded, deterministic runs of a simulated cluster running the real engine, membership and
 * policy (see {@link Simulation}). A failing seed prints its last events and the command that replays it:
 * {@code -Dvigil.sim.profile=<safe|split> -Dvigil.sim.seed=<seed>} runs that one seed with every event and
 * the engine's log printed. {@code -Dvigil.sim.seeds=<n>} changes how many seeds a profile runs, and
 * {@code -Dvigil.sim.first=<seed>} where they start (to explore beyond the build's seeds);
 * {@code -Dvigil.sim.explore=<profile>} runs any profile and {@code -Dvigil.sim.nodes=<2..5>} fixes the size.
 */
class SimulationTest {

    private static final int SEEDS = Integer.getInteger("vigil.sim.seeds", 1000);
    private static final long FIRST = Long.getLong("vigil.sim.first", 1);
    private static final String REPLAY = System.getProperty("vigil.sim.seed");

    @TempDir
    Path dir;

    @Test
    void withoutPartitionsOrFreezesNoGroupEverRunsTwiceAndEveryGroupRunsOnceAfterHealing() {
        assumeTrue(REPLAY == null, "replaying one seed");
        List<Simulation.Result> failed = runSeeds(SimProfile.SAFE, FIRST, SEEDS, false);
        if (!failed.isEmpty()) {
            fail(failures(failed, SEEDS));
        }
    }

    /**
     * The known limit of Vigil without quorum (docs/known-limits.md): a partition, or a node frozen for
     * longer than the dead time, lets both sides run a group. The simulation must find that within a few
     * hundred seeds, or its safety check is blind. Quorum is off by default (cluster.nodes empty), so this
     * stays true; {@link #withQuorumPartitionsAndFreezesNeverRunAGroupTwiceNorWithoutQuorum()} is the same
     * fault mix with quorum configured.
     */
    @Test
    void withQuorumCrashesCutsAndFailingAgentsStaySafeAndEveryGroupRunsOnceAfterHealing() {
        assumeTrue(REPLAY == null, "replaying one seed");
        List<Simulation.Result> failed = runSeeds(SimProfile.SAFE_QUORUM, FIRST, SEEDS / 4, false);
        if (!failed.isEmpty()) {
            fail(failures(failed, SEEDS / 4));
        }
    }

    /**
     * Every frame the simulation delivers goes through the production inbound handling ({@code InboundFrames}):
     * its counters show frames counted, copies the links duplicated told apart by the replay window, and frames of
     * peers that had not yet answered a node's challenge (each boot starts a new one).
     */
    @Test
    void everyDeliveredFrameGoesThroughTheProductionInboundHandling() {
        assumeTrue(REPLAY == null, "replaying one seed");
        Simulation.Result r = runOne(SimProfile.SAFE, 1, false);
        assertThat(r.ok()).as(r::report).isTrue();
        assertThat(r.inbound().accepted.get()).as("heartbeats counted").isPositive();
        assertThat(r.inbound().duplicates.get()).as("duplicated frames (2 percent of them)").isPositive();
        assertThat(r.inbound().unanswered.get()).as("frames before the challenge was answered").isPositive();
        assertThat(r.inbound().accepted.get()).isGreaterThan(r.inbound().duplicates.get());
    }

    @Test
    void withoutQuorumAPartitionOrAFreezeRunsAGroupTwiceAndTheSeedIsPrinted() {
        assumeTrue(REPLAY == null, "replaying one seed");
        Simulation.Result found = null;
        for (long seed = 1; seed <= 300 && found == null; seed++) {
            Simulation.Result r = runOne(SimProfile.SPLIT, seed, false);
            if (r.violations().stream().anyMatch(v -> v.contains("is active on"))) {
                found = r;
            }
        }
        assertThat(found).as("a split-brain among 300 seeds of partitions and freezes").isNotNull();
        System.out.println("Known limit without quorum, as the simulation finds it:\n" + found.report());
    }

    /**
     * Partitions, one-way cuts and freezes with quorum configured never run a group twice, and no node runs
     * anything once its self-fencing bound has passed without quorum.
     */
    @Test
    void withQuorumPartitionsAndFreezesNeverRunAGroupTwiceNorWithoutQuorum() {
        assumeTrue(REPLAY == null, "replaying one seed");
        List<Simulation.Result> failed = runSeeds(SimProfile.SPLIT_QUORUM, FIRST, SEEDS / 2, false);
        if (!failed.isEmpty()) {
            fail(failures(failed, SEEDS / 2));
        }
    }

    /**
     * Found by this simulation (safe profile, seed 420 when the admin's cleanup did not wait): node5 fails a
     * group back to itself and dispatches the first start; 17 ms later the admin's vigil:cleanup un-bans the
     * more preferred node1, which becomes the target and starts the group at once, because node5's report
     * of its start (published one tick after the dispatch) has not reached it yet. The same window opens for
     * any placement change (cleanup, group-set --preferred, bring-in, switchover) while a start is under way.
     */
    @Test
    void aCleanupWhileAnotherNodeStartsTheGroupNeverStartsItTwice() {
        assumeTrue(REPLAY == null, "replaying one seed");
        List<Simulation.Result> failed = runSeeds(SimProfile.HASTY_CLEANUP, FIRST, SEEDS / 4, false);
        if (!failed.isEmpty()) {
            fail(failures(failed, SEEDS / 4));
        }
    }

    /**
     * Two nodes whose lease rests on the ping tie-breaker's instant verdict, with the fast stop: crashes, every kind
     * of cut (heartbeat paths, public links, a node cut off entirely, one way), freezes shorter and longer than the
     * dead time. No group runs twice and none runs without quorum; after a crash of the holder the survivor takes
     * the group over within the dead time and a small margin in most runs, where it used to wait out
     * quorum.loss.stop.ms (2.5 s here) after the dead time.
     */
    @Test
    void withTwoNodesTheLeaseOnThePingVerdictNeverRunsAGroupTwiceAndASurvivorTakesOverWithinTheDeadTime() {
        assumeTrue(REPLAY == null, "replaying one seed");
        int count = SEEDS * 3 / 20; // 150 seeds, about 30 s on two threads
        List<Simulation.Result> all = new ArrayList<>();
        List<Simulation.Result> failed = runSeeds(SimProfile.LEASE_PING, FIRST, count, false, all);
        if (!failed.isEmpty()) {
            fail(failures(failed, count));
        }
        List<Long> takeovers = all.stream().flatMap(r -> r.takeovers().stream()).toList();
        List<Long> overlaps = all.stream().flatMap(r -> r.overlaps().stream()).sorted().toList();
        System.out.printf("lease-ping: %d runs with a group on a frozen node and on the other at once (the lease's known "
                + "limit), %d overlaps, the longest %d ms%n", all.stream().filter(r -> !r.overlaps().isEmpty()).count(),
                overlaps.size(), overlaps.isEmpty() ? 0 : overlaps.get(overlaps.size() - 1));
        long fast = takeovers.stream().filter(t -> t <= Simulation.DEAD_TIME + Simulation.TAKEOVER_MARGIN).count();
        long slow = takeovers.stream().filter(t -> t >= Simulation.DEAD_TIME + Simulation.LOSS_STOP).count();
        List<Long> sorted = takeovers.stream().sorted().toList();
        all.stream().filter(r -> r.takeovers().stream().anyMatch(t -> t > Simulation.DEAD_TIME + Simulation.TAKEOVER_MARGIN))
                .limit(8).forEach(r -> System.out.println("lease-ping: slower takeovers " + r.takeovers() + " in seed " + r.seed()));
        System.out.printf("lease-ping: %d takeovers after a crash of the holder: %d within the dead time + %d ms, %d after "
                + "the old dead time + loss stop (%d ms); median %d ms%n", takeovers.size(), fast,
                Simulation.TAKEOVER_MARGIN, slow, Simulation.DEAD_TIME + Simulation.LOSS_STOP,
                sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2));
        assertThat(takeovers).as("takeovers measured (a crash of the holder that no other fault follows)")
                .hasSizeGreaterThanOrEqualTo(Math.max(3, count / 50));
        assertThat(fast).as("takeovers within the dead time + %d ms, of %d", Simulation.TAKEOVER_MARGIN, takeovers.size())
                .isGreaterThan(takeovers.size() / 2);
    }

    /**
     * The lease's known limit for frozen nodes (docs/split-brain-safety.md, "The lease", the freeze bound), as the
     * simulation finds it (lease-ping seed 34): node1 runs g2 and g3 and freezes for 1770 ms; node2 declares it lost,
     * waits the freeze bound (1 s + the fast stop from its last receipt, node1's machine still answering ping), wins
     * the tie and starts them 1112 ms into the freeze: both run them until node1 wakes and fast-stops. Only a fence
     * device closes it. (Before the freeze bound, seeds 7 and 533 showed the same with freezes of 618 and 555 ms.)
     * Enable it to see the run.
     */
    @Test
    @org.junit.jupiter.api.Disabled("the lease's known limit for frozen nodes (docs/split-brain-safety.md, \"The lease\"): "
            + "a holder frozen beyond the freeze bound runs its groups beside the tie-breaker's winner until it wakes")
    void aFrozenHolderNeverRunsItsGroupBesideTheTieBreakersWinner() {
        Simulation.Result r = new Simulation(34, SimProfile.LEASE_PING, dir.resolve("frozen-34"), false)
                .strictAboutFrozenNodes().run();
        assertThat(r.violations()).as(r.report()).isEmpty();
    }

    /** Runs seeds of any profile, for diagnosis: {@code -Dvigil.sim.explore=<profile>}. */
    @Test
    @EnabledIfSystemProperty(named = "vigil.sim.explore", matches = ".+")
    void explore() {
        SimProfile p = SimProfile.named(System.getProperty("vigil.sim.explore"));
        List<Simulation.Result> failed = runSeeds(p, FIRST, SEEDS, false);
        if (!failed.isEmpty()) {
            fail(failures(failed, SEEDS));
        }
    }

    /** The quorum rules can fail: without quorum configured, a node cut off from a majority keeps running. */
    @Test
    void withoutQuorumANodeCutOffFromAMajorityKeepsRunningAndTheCheckSeesIt() {
        assumeTrue(REPLAY == null, "replaying one seed");
        Simulation.Result found = null;
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            for (long seed = 1; seed <= 300 && found == null; seed++) {
                Path root = dir.resolve("minority-" + seed);
                Simulation.Result r = new Simulation(seed, SimProfile.SPLIT, root, false).onlyQuorumRules().run();
                SimFingerprints.delete(root);
                if (r.violations().stream().anyMatch(v -> v.contains("cut off from a majority"))) {
                    found = r;
                }
            }
        } finally {
            System.setErr(err);
        }
        assertThat(found).as("a node running in a minority among 300 seeds of partitions without quorum").isNotNull();
    }

    @Test
    void aSeedReplaysTheSameRunEventForEvent() {
        assumeTrue(REPLAY == null, "replaying one seed");
        for (long seed : new long[] {7, 1234}) {
            Simulation.Result a = runOne(SimProfile.SPLIT, seed, false);
            Simulation.Result b = runOne(SimProfile.SPLIT, seed, false);
            assertThat(b.events()).as("events of seed %d", seed).isEqualTo(a.events());
            assertThat(b.trace()).as("trace of seed %d", seed).isEqualTo(a.trace());
            assertThat(b.fingerprint()).as("fingerprint of every trace line of seed %d", seed).isEqualTo(a.fingerprint());
        }
        assertThat(runOne(SimProfile.SPLIT, 8, false).fingerprint()).as("another seed, another run")
                .isNotEqualTo(runOne(SimProfile.SPLIT, 7, false).fingerprint());
    }

    @Test
    @EnabledIfSystemProperty(named = "vigil.sim.seed", matches = "-?\\d+")
    void replayOneSeed() {
        SimProfile p = SimProfile.named(System.getProperty("vigil.sim.profile", "safe"));
        Simulation.Result r = runOne(p, Long.parseLong(REPLAY), true);
        System.out.println(r.events() + " events; " + (r.ok() ? "no invariant broken" : r.report()));
        assertThat(r.violations()).as(r.report()).isEmpty();
    }

    // ---- running seeds ----

    /** @return a failure message: how many seeds failed, each one's first violation, and the first one's report */
    static String failures(List<Simulation.Result> failed, int count) {
        StringBuilder b = new StringBuilder().append(failed.size()).append(" of ").append(count).append(" seeds failed:\n");
        failed.stream().limit(40).forEach(r -> b.append("  seed ").append(r.seed()).append(" (").append(r.nodes())
                .append(" nodes): ")
                .append(r.violations().get(0), 0, Math.min(220, r.violations().get(0).length())).append('\n'));
        return b.append("the first:\n").append(failed.get(0).report()).toString();
    }

    private List<Simulation.Result> runSeeds(SimProfile profile, long from, int count, boolean verbose) {
        return runSeeds(profile, from, count, verbose, new ArrayList<>());
    }

    /** @param all receives every run's result, in seed order */
    private List<Simulation.Result> runSeeds(SimProfile profile, long from, int count, boolean verbose,
            List<Simulation.Result> all) {
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream())); // the engines' logs, thousands of runs of them
        try {
            List<Future<Simulation.Result>> futures = new ArrayList<>();
            for (long s = from; s < from + count; s++) {
                long seed = s;
                futures.add(pool.submit(() -> simulate(profile, seed, verbose)));
            }
            List<Simulation.Result> failed = new ArrayList<>();
            long events = 0;
            long t0 = System.nanoTime();
            for (Future<Simulation.Result> f : futures) {
                Simulation.Result r = f.get();
                events += r.events();
                all.add(r);
                if (!r.ok()) {
                    failed.add(r);
                }
            }
            System.out.printf("simulation profile %s: %d seeds from %d, %d events, %d failed, %d ms on %d threads%n",
                    profile.name(), count, from, events, failed.size(), (System.nanoTime() - t0) / 1_000_000, threads);
            failed.sort(Comparator.comparingLong(Simulation.Result::seed));
            return failed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            System.setErr(err);
            pool.shutdownNow();
        }
    }

    private Simulation.Result runOne(SimProfile profile, long seed, boolean verbose) {
        if (verbose) {
            return simulate(profile, seed, true);
        }
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return simulate(profile, seed, false);
        } finally {
            System.setErr(err);
        }
    }

    private Simulation.Result simulate(SimProfile profile, long seed, boolean verbose) {
        Path root = dir.resolve(profile.name() + "-" + seed + "-" + Thread.currentThread().getId());
        try {
            return new Simulation(seed, profile, root, verbose).run();
        } finally {
            SimFingerprints.delete(root);
        }
    }

}
