package org.vigil.heartbeat.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationContext;
import org.vigil.plugin.support.disk.DirectIo;
import org.vigil.tck.heartbeat.Endpoint;

/**
 * The quorum disk as a tie-breaker (type disk), two nodes on one real loop device, each with its own
 * factory as in two JVMs: at most one side wins a tie, the winner keeps winning while it renews, and the
 * other side takes over only after the lock stayed unchanged for the lease.
 */
class DiskTieBreakerTest {

    private TestDisk disk;
    private final DiskTransportFactory nodeA = new DiskTransportFactory(null);
    private final DiskTransportFactory nodeB = new DiskTransportFactory(null);
    private Endpoint a;
    private Endpoint b;

    @BeforeAll
    static void prerequisites() {
        TestDisk.assumeUsable();
    }

    @BeforeEach
    void open() throws IOException {
        disk = TestDisk.create(2);
        a = open(nodeA, "nodea");
        b = open(nodeB, "nodeb");
    }

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        disk.close();
    }

    private Endpoint open(DiskTransportFactory f, String node) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        for (ParameterDescription d : f.describe().parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        p.put("device", disk.device().toString());
        return Endpoint.open(f, "disk", node, p);
    }

    private static OperationContext budget() {
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        return new OperationContext() {
            @Override
            public Duration timeout() {
                return Duration.ofSeconds(3);
            }

            @Override
            public Duration remaining() {
                return Duration.ofNanos(end - System.nanoTime());
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }

    private boolean aWins() {
        return nodeA.wins("nodea", Set.of("nodea"), Set.of("nodeb"), budget());
    }

    private boolean bWins() {
        return nodeB.wins("nodeb", Set.of("nodeb"), Set.of("nodea"), budget());
    }

    @Test
    void twoSidesAskingAtOnceNeverBothWin() throws Exception {
        assertThat(nodeA.type()).isEqualTo("disk");
        for (int round = 0; round < 3; round++) {
            DirectIo.write(disk.device(), (long) DiskLayout.LOCK_BLOCK * DiskLayout.BLOCK, new byte[DiskLayout.BLOCK]);
            CompletableFuture<Boolean> fa = CompletableFuture.supplyAsync(this::aWins);
            CompletableFuture<Boolean> fb = CompletableFuture.supplyAsync(this::bWins);
            boolean wa = fa.get();
            boolean wb = fb.get();
            assertThat(wa && wb).as("round %d: both sides won", round).isFalse();
            assertThat(wa || wb).as("round %d: an empty lock is won by one side", round).isTrue();
        }
    }

    @Test
    void theHolderKeepsWinningWhileItRenewsAndTheOtherTakesOverOnlyAfterTheLease() throws Exception {
        assertThat(aWins()).as("an empty lock").isTrue();
        long until = System.nanoTime() + Duration.ofMillis(DiskLock.LEASE_MILLIS + 3000).toNanos();
        while (System.nanoTime() < until) { // the core asks every 2 s on both sides while the tie lasts
            assertThat(bWins()).as("nodeb while nodea renews").isFalse();
            assertThat(aWins()).as("nodea renewing").isTrue();
            Thread.sleep(500);
        }
        // nodea dies (stops asking): nodeb wins once the lock stayed unchanged for the lease.
        long t0 = System.nanoTime();
        boolean won = false;
        while (!won && System.nanoTime() - t0 < Duration.ofMillis(DiskLock.LEASE_MILLIS + 8000).toNanos()) {
            won = bWins();
            if (!won) {
                Thread.sleep(1000);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(won).as("nodeb took the lock over").isTrue();
        assertThat(ms).as("only after the lease").isGreaterThanOrEqualTo(DiskLock.LEASE_MILLIS);
        assertThat(aWins()).as("nodea back: the lock is nodeb's now").isFalse();
    }

    @Test
    void aNodeWithoutAnOpenDiskPathLoses() {
        a.close();
        a = null;
        assertThat(aWins()).isFalse();
    }
}
