package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.StopProof;
import org.vigil.api.resource.ResultCode;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;
import org.vigil.resource.disk.internal.TwoNodes.Node;

/**
 * Two nodes share one real disk (a loop device both "see"): data written through the active node is read
 * through the other after it stops; while one node holds the reservation, the other refuses to mount; a
 * holder that stopped renewing (crashed) is taken over once its lease has passed, and then finds out.
 */
@ExtendWith(ClassDisk.class)
class DiskFailoverTest {

    private static final Duration LEASE = DiskConfig.MIN_RESERVATION_TIMEOUT;

    @ClassDisk.Shared
    private static LoopDisk disk;

    @TempDir
    Path stateDir;

    private Node node1;
    private Node node2;

    @BeforeEach
    void twoNodes() {
        Map<String, String> params = Map.of("reservation-timeout", DiskConfig.human(LEASE));
        node1 = new Node("node1", disk, stateDir, params);
        node2 = new Node("node2", disk, stateDir, params);
    }

    @AfterEach
    void stopBoth() throws IOException {
        node1.stop();
        node2.stop();
        node1.close();
        node2.close();
        disk.unmountAll();
    }

    @Test
    void aFileWrittenOnOneNodeIsReadOnTheOtherAfterFailover() throws IOException {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        Files.writeString(node1.mountPoint.resolve("data.txt"), "written through node1\n");
        assertThat(node1.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(node1.stop()).matches(OperationResult::isOk, "node1 stops");
        assertThat(disk.mountPoints()).isEmpty();
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class, v -> {
            assertThat(v.record().held()).as("released").isFalse();
            assertThat(v.record().node()).isEqualTo("node1");
        });

        OperationResult started = node2.start();
        assertThat(started).matches(OperationResult::isOk, "node2 starts at once on a released disk: " + started);
        assertThat(Files.readString(node2.mountPoint.resolve("data.txt"), StandardCharsets.UTF_8))
                .isEqualTo("written through node1\n");
        assertThat(node2.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class, v -> {
            assertThat(v.record().held()).isTrue();
            assertThat(v.record().node()).isEqualTo("node2");
        });
    }

    @Test
    void whileNode1HoldsTheDiskNode2RefusesNamingItAndMountsNothing() throws Exception {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        // The core monitors a running disk every 2 s; each monitor renews the reservation.
        AtomicBoolean renewing = new AtomicBoolean(true);
        List<OperationResult> monitors = new CopyOnWriteArrayList<>();
        Thread core = new Thread(() -> {
            while (renewing.get()) {
                monitors.add(node1.monitor());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "node1-monitor");
        core.start();
        try {
            long t0 = System.nanoTime();
            OperationResult refused = node2.start();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(refused.code()).isEqualTo(ResultCode.FAILED);
            assertThat(refused.message()).contains("node1").contains("alive").contains("Nothing was mounted");
            assertThat(tookMs).as("refused as soon as a renewal is seen, well before the lease").isLessThan(
                    LEASE.toMillis());
            assertThat(disk.mountPoints()).containsExactly(node1.mountPoint.toString());
            assertThat(Files.exists(node2.mountPoint)).as("node2 did not even create its mount point").isFalse();
            assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                    v -> assertThat(v.record().node()).isEqualTo("node1"));
        } finally {
            renewing.set(false);
            core.join(10_000);
        }
        assertThat(monitors).isNotEmpty().allMatch(OperationResult::isOk);
        assertThat(node2.stop()).as("stop of a never-started resource on node2 leaves node1's disk alone")
                .matches(OperationResult::isOk);
        assertThat(disk.mountPoints()).containsExactly(node1.mountPoint.toString());
        assertThat(node1.monitor().code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void aCrashedHoldersDiskIsTakenOverAfterItsLeaseAndTheOldHolderFindsOut() throws Exception {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        Files.writeString(node1.mountPoint.resolve("before-crash.txt"), "node1 was here\n");
        // node1 "crashes": its mount is gone (the machine is down), its reservation stays, never renewed.
        disk.check(LoopDisk.run("umount", node1.mountPoint.toString()));

        long t0 = System.nanoTime();
        OperationResult took = node2.start();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(took).matches(OperationResult::isOk, "node2 takes over: " + took);
        assertThat(took.message()).contains("took the disk over from node 'node1'");
        assertThat(tookMs).as("node2 watched the reservation for node1's whole lease").isGreaterThanOrEqualTo(
                LEASE.toMillis());
        assertThat(Files.readString(node2.mountPoint.resolve("before-crash.txt"))).isEqualTo("node1 was here\n");

        // node1 wakes up with the disk mounted again (the frozen-node case): its monitor finds out.
        disk.check(LoopDisk.run("mount", disk.device().toString(), node1.mountPoint.toString()));
        OperationResult lost = node1.monitor();
        assertThat(lost.code()).isEqualTo(ResultCode.FAILED);
        assertThat(lost.message()).contains("node2").contains("taken the disk over");
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                v -> assertThat(v.record().node()).as("node1's monitor did not steal it back").isEqualTo("node2"));
        disk.check(LoopDisk.run("umount", node1.mountPoint.toString()));
    }

    @Test
    void aFencedHoldersDiskIsTakenOverAtOnceWithoutWaitingOutItsLease() throws Exception {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        Files.writeString(node1.mountPoint.resolve("before-fence.txt"), "node1 was here\n");
        disk.check(LoopDisk.run("umount", node1.mountPoint.toString())); // node1 is powered off by its fence device
        node2.knowsFenced("node1");

        long t0 = System.nanoTime();
        OperationResult took = node2.start();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(took).matches(OperationResult::isOk, "node2 takes over: " + took);
        assertThat(took.message()).contains("took the disk over from node 'node1', which has been fenced");
        assertThat(tookMs).as("no lease wait for a fenced holder").isLessThan(LEASE.toMillis());
        assertThat(Files.readString(node2.mountPoint.resolve("before-fence.txt"))).isEqualTo("node1 was here\n");
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                v -> assertThat(v.record().node()).isEqualTo("node2"));
    }

    @Test
    void aHolderTheClusterProvedStoppedIsTakenOverAtOnceWithoutWaitingOutItsLease() throws Exception {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        Files.writeString(node1.mountPoint.resolve("before-crash.txt"), "node1 was here\n");
        ReservationRecord before = ((Valid) disk.reservation()).record();
        disk.check(LoopDisk.run("umount", node1.mountPoint.toString())); // node1's lease lapsed: its fast stop unmounted
        node2.knowsStopped(new StopProof("node1", StopProof.Kind.LEASE_LAPSED, "its lease lapsed 0.05 s ago"));

        long t0 = System.nanoTime();
        OperationResult took = node2.start();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(took).matches(OperationResult::isOk, "node2 takes over: " + took);
        assertThat(took.message()).contains("took the disk over from node 'node1', which the cluster proved stopped"
                + " (its lease lapsed 0.05 s ago), without waiting out its reservation lease");
        assertThat(tookMs).as("no lease wait for a holder proven stopped (%d ms)", tookMs).isLessThan(LEASE.toMillis());
        assertThat(disk.mountPoints()).containsExactly(node2.mountPoint.toString());
        assertThat(Files.readString(node2.mountPoint.resolve("before-crash.txt"))).isEqualTo("node1 was here\n");
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class, v -> {
            assertThat(v.record().node()).isEqualTo("node2");
            assertThat(v.record().incarnation()).as("a takeover is a new acquisition").isEqualTo(before.incarnation() + 1);
        });
    }

    @Test
    void aProofAboutAnotherNodeDoesNotTakeOverTheReservationOfTheNodeItNames() throws Exception {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        node2.knowsStopped(new StopProof("node3", StopProof.Kind.FENCED, "fenced (test)"));

        // a budget shorter than node1's lease: the start must give up rather than wait it out
        OperationResult refused = node2.start(Duration.ofSeconds(3));
        assertThat(refused.code()).isEqualTo(ResultCode.FAILED);
        assertThat(refused.message()).contains("reserved by node 'node1'").contains("Nothing was mounted");
        assertThat(disk.mountPoints()).containsExactly(node1.mountPoint.toString());
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                v -> assertThat(v.record().node()).isEqualTo("node1"));
    }

    @Test
    void aRenewalByTheProvenHolderWhileTheClaimSettlesBlocksTheTakeover() throws Exception {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        ReservationRecord held = ((Valid) disk.reservation()).record();
        // a wrong proof: node1 is alive, and renews right after node2's claim landed (it read the record just before)
        node2.knowsStopped(new StopProof("node1", StopProof.Kind.LEASE_LAPSED, "its lease lapsed"));
        CompletableFuture<OperationResult> start = CompletableFuture.supplyAsync(() -> node2.start());
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(disk.reservation() instanceof Valid v && v.record().node().equals("node2")) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(disk.reservation()).as("node2's claim is on the disk").isInstanceOfSatisfying(Valid.class,
                v -> assertThat(v.record().node()).isEqualTo("node2"));
        BlockDevice.write(disk.device(), disk.recordOffset(), new ReservationRecord(true, held.incarnation(),
                held.renewals() + 1, System.currentTimeMillis(), held.leaseMillis(), "node1").encode());

        OperationResult r = start.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains("node 'node1' wrote the reservation").contains("it is alive")
                .contains("Nothing was mounted");
        assertThat(disk.mountPoints()).containsExactly(node1.mountPoint.toString());
    }

    @Test
    void aNodeThatStillHoldsItsReservationAfterARestartMountsAtOnce() throws IOException {
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts");
        disk.check(LoopDisk.run("umount", node1.mountPoint.toString())); // the node restarted, the record says node1
        long t0 = System.nanoTime();
        assertThat(node1.start()).matches(OperationResult::isOk, "node1 starts again");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(LEASE.toMillis());
        assertThat(disk.mountPoints()).containsExactly(node1.mountPoint.toString());
    }
}
