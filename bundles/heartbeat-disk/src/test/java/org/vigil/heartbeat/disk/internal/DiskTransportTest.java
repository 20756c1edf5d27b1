package org.vigil.heartbeat.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.ParameterDescription;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.core.internal.fence.FenceSigner;
import org.vigil.plugin.support.disk.DirectIo;
import org.vigil.tck.heartbeat.Endpoint;

/**
 * What is particular to the disk path, over a real loop device: the device checks, garbage in the slots,
 * the device pulled and put back, two writers on one slot, and the poison pill end to end (the agent on
 * node A with A's signer, the transport on node B with B's: B's core is told, A sees the acknowledgement).
 * The core's side of a fence request (everything stops, nothing starts until cleanup) is proved in the
 * core's InProcessClusterTest.
 */
class DiskTransportTest {

    private static final byte[] KEY = "disk-heartbeat-test-cluster-key!".getBytes(StandardCharsets.US_ASCII);
    private final List<Endpoint> endpoints = new ArrayList<>();
    private TestDisk disk;

    @BeforeAll
    static void prerequisites() {
        TestDisk.assumeUsable();
    }

    @BeforeEach
    void attach() throws IOException {
        disk = TestDisk.create(2);
    }

    @AfterEach
    void detach() {
        endpoints.forEach(Endpoint::close);
        if (disk != null) {
            disk.close();
        }
    }

    private Endpoint open(String node, Map<String, String> extra) throws IOException {
        return open(new DiskTransportFactory(new FenceSigner(node, KEY)), node, extra);
    }

    private Endpoint open(DiskTransportFactory f, String node, Map<String, String> extra) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        for (ParameterDescription d : f.describe().parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        p.put("device", disk.device().toString());
        p.put("interval-ms", "20");
        p.putAll(extra);
        Endpoint e = Endpoint.open(f, "disk", node, p);
        endpoints.add(e);
        return e;
    }

    private static void await(Duration d, BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + d.toMillis() + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static boolean heard(Endpoint receiver, String text) {
        return receiver.context.texts().contains(text);
    }

    /** Beats from a to b every 20 ms until b has one; @return the frame b heard */
    private static void beatUntilHeard(Endpoint a, Endpoint b, String tag) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int n = 0; ; n++) {
            String t = a.name + "~" + tag + n;
            try {
                a.send(t.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException allowed) {
                // the device is not back yet
            }
            Thread.sleep(40);
            if (b.context.texts().stream().anyMatch(x -> x.startsWith(a.name + "~" + tag))) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(b.name + " never heard " + a.name + " (" + tag + "): " + b.context.texts()
                        + " garbage " + b.context.garbage + " links " + b.context.linkStates);
            }
        }
    }

    private static OperationContext budget(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        return new OperationContext() {
            @Override
            public Duration timeout() {
                return d;
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

    // ---- the device ----

    @Test
    void parametersAreCheckedByName() {
        DiskTransportFactory f = new DiskTransportFactory(null);
        assertThat(f.validate(Map.of())).singleElement().asString().startsWith("device: required");
        assertThat(f.validate(Map.of("device", "disk.img"))).singleElement().asString().startsWith("device:");
        assertThat(f.validate(Map.of("device", "/dev/sdb", "interval-ms", "5"))).singleElement().asString()
                .startsWith("interval-ms:");
        assertThat(f.validate(Map.of("device", "/dev/sdb", "self-fence-timeout-ms", "500"))).singleElement().asString()
                .startsWith("self-fence-timeout-ms:").contains("10 polls");
        assertThat(f.validate(Map.of("device", "/dev/sdb", "slots", "x"))).singleElement().asString().startsWith("slots:");
        assertThat(f.validate(Map.of("device", "/dev/sdb", "self-fence-timeout-ms", "0"))).isEmpty();
        assertThat(new DiskPoisonPillAgent(null).validate(Map.of())).singleElement().asString().startsWith("device:");
    }

    @Test
    void aDeviceWithAFileSystemIsRefusedNamingTheDeviceAndLeftUntouched() throws Exception {
        TestDisk.Result mkfs = TestDisk.run("mkfs.ext4", "-q", "-F", disk.loop().toString());
        assertThat(mkfs.exit()).as("mkfs.ext4: %s", mkfs.output()).isZero();
        byte[] before = DirectIo.read(disk.device(), 0, 1 << 20);
        assertThatThrownBy(() -> open("nodea", Map.of())).isInstanceOf(IOException.class)
                .hasMessageStartingWith("device: " + disk.device()).hasMessageContaining("not a Vigil heartbeat layout");
        assertThat(DirectIo.read(disk.device(), 0, 1 << 20)).as("the file system is untouched").isEqualTo(before);
    }

    @Test
    void dataAnywhereInTheAreaIsRefusedAndAMountedDeviceToo() throws Exception {
        byte[] block = new byte[DirectIo.BLOCK];
        block[100] = 1;
        DirectIo.write(disk.device(), 64 * 1024, block); // where btrfs keeps its superblock
        assertThatThrownBy(() -> open("nodea", Map.of())).isInstanceOf(IOException.class)
                .hasMessageStartingWith("device: " + disk.device()).hasMessageContaining("byte " + (64 * 1024 + 100));

        Path mnt = Files.createTempDirectory("vigil-hbdisk-mnt-" + ProcessHandle.current().pid() + "-");
        try {
            TestDisk.Result mkfs = TestDisk.run("mkfs.ext4", "-q", "-F", disk.loop().toString());
            TestDisk.Result mount = mkfs.exit() == 0 ? TestDisk.run("mount", disk.loop().toString(), mnt.toString()) : mkfs;
            assertThat(mount.exit()).as("mkfs/mount: %s", mount.output()).isZero();
            try {
                assertThatThrownBy(() -> open("nodea", Map.of())).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("device: " + disk.device()).hasMessageContaining("mounted file system");
            } finally {
                TestDisk.run("umount", mnt.toString());
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
    }

    @Test
    void aZeroedDeviceIsLaidOutAndEachNodeKeepsItsSlotByName() throws Exception {
        Endpoint a = open("nodea", Map.of());
        Endpoint b = open("nodeb", Map.of());
        beatUntilHeard(a, b, "x");
        DiskArea area = DiskArea.open(disk.device(), 16, "test", false);
        assertThat(area.slots()).isEqualTo(16);
        assertThat(DiskArea.slotOf(area.owners(), "nodea")).isZero();
        assertThat(DiskArea.slotOf(area.owners(), "nodeb")).isEqualTo(1);
        b.close();
        endpoints.remove(b);
        Endpoint b2 = open("nodeb", Map.of());
        beatUntilHeard(b2, a, "again");
        assertThat(DiskArea.slotOf(area.owners(), "nodeb")).as("a node that comes back takes its own slot").isEqualTo(1);
    }

    @Test
    void aPlainFileOnAFileSystemWithODirectWorksForTests() throws Exception {
        Path file = Path.of("target", "plain-heartbeat-" + ProcessHandle.current().pid() + ".img").toAbsolutePath();
        Files.createDirectories(file.getParent());
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(2L << 20);
        }
        try {
            try {
                DirectIo.read(file, 0, DirectIo.BLOCK);
            } catch (IOException e) {
                String reason = "the build directory's file system does not support O_DIRECT (" + e + ")";
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError("CI=true: " + reason, e);
                }
                org.junit.jupiter.api.Assumptions.abort(reason);
            }
            DiskTransportFactory f = new DiskTransportFactory(null);
            Map<String, String> p = Map.of("device", file.toString(), "interval-ms", "20");
            Endpoint a = Endpoint.open(f, "disk", "nodea", p);
            Endpoint b = Endpoint.open(f, "disk", "nodeb", p);
            endpoints.add(a);
            endpoints.add(b);
            beatUntilHeard(a, b, "file");
            beatUntilHeard(b, a, "file");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---- garbage and losing the device ----

    @Test
    void randomBytesOverAPeersWholeSlotAreCountedAndTheNextBeatsArrive() throws Exception {
        Endpoint a = open("nodea", Map.of());
        Endpoint b = open("nodeb", Map.of());
        beatUntilHeard(a, b, "warm");
        Random r = new Random(12);
        for (int round = 0; round < 5; round++) {
            byte[] junk = new byte[DiskLayout.USED_BLOCKS * DiskLayout.BLOCK];
            r.nextBytes(junk);
            int garbageBefore = b.context.garbage.size();
            // Everything but the owner block: the ring, the pill and the ack blocks.
            DirectIo.write(disk.device(), DiskLayout.offset(0, 1),
                    java.util.Arrays.copyOfRange(junk, DiskLayout.BLOCK, junk.length));
            await(Duration.ofSeconds(5), () -> b.context.garbage.size() >= garbageBefore + DiskLayout.RING,
                    "every ring block counted as garbage: " + b.context.garbage);
            beatUntilHeard(a, b, "after" + round);
        }
        assertThat(a.receiveErrors).isEmpty();
        assertThat(b.receiveErrors).isEmpty();
        // nodea finds garbage in its own pill block: counted, not obeyed.
        await(Duration.ofSeconds(5), () -> a.context.garbage.stream().anyMatch(g -> g.contains("poison pill block")),
                "nodea counted its damaged pill block: " + a.context.garbage);
        assertThat(a.context.fenceRequests).isEmpty();
    }

    @Test
    void thePulledDeviceIsReportedDownAndTheReturnedOneUpAndBeatsFlowAgain() throws Exception {
        Endpoint a = open("nodea", Map.of("self-fence-timeout-ms", "600"));
        Endpoint b = open("nodeb", Map.of("self-fence-timeout-ms", "0"));
        beatUntilHeard(a, b, "before");
        beatUntilHeard(b, a, "before");

        disk.detach();
        await(Duration.ofSeconds(5), () -> !last(a).up() && !last(b).up(), "both report the link down: "
                + a.context.linkStates + " / " + b.context.linkStates);
        assertThat(last(a).reason()).contains(disk.device().toString());
        assertThatThrownBy(() -> a.send(new byte[] {1})).isInstanceOf(IOException.class);
        // a cannot read its slot: after its bound it fences itself; b (bound 0) never does.
        await(Duration.ofSeconds(5), () -> !a.context.fenceRequests.isEmpty(), "nodea self-fences");
        assertThat(a.context.fenceRequests.get(0).from()).isEqualTo("nodea");
        assertThat(a.context.fenceRequests.get(0).reason()).contains("self-fencing").contains("self-fence-timeout-ms");
        Thread.sleep(300);
        assertThat(b.context.fenceRequests).isEmpty();

        disk.attach();
        await(Duration.ofSeconds(5), () -> last(a).up() && last(b).up(), "both report the link up again: "
                + a.context.linkStates + " / " + b.context.linkStates);
        beatUntilHeard(a, b, "after");
        beatUntilHeard(b, a, "after");
        assertThat(a.receiveErrors).isEmpty();
        assertThat(b.receiveErrors).isEmpty();
        assertThat(a.context.fenceRequests).as("one self-fence request for one outage").hasSize(1);
    }

    @Test
    void aPathThatCannotEvenBeOpenedPastItsBoundFencesThisNodeOnce() throws Exception {
        DiskTransportFactory f = new DiskTransportFactory(null);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("device", disk.device() + "-missing");
        p.put("interval-ms", "20");
        p.put("self-fence-timeout-ms", "300");
        var ctx = new org.vigil.tck.heartbeat.RecordingPathContext("disk", "nodea", p);
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < end) { // the core retries a failed open
            assertThatThrownBy(() -> f.open(ctx)).isInstanceOf(IOException.class).hasMessageStartingWith("device: ");
            Thread.sleep(50);
        }
        assertThat(ctx.fenceRequests).as("one self-fence for the streak").hasSize(1);
        assertThat(ctx.fenceRequests.get(0).from()).isEqualTo("nodea");
        assertThat(ctx.fenceRequests.get(0).reason()).contains("cannot be opened").contains("self-fence-timeout-ms");
        assertThat(ctx.linkStates).allMatch(l -> !l.up());
    }

    private static org.vigil.tck.heartbeat.RecordingPathContext.LinkState last(Endpoint e) {
        var l = e.context.linkStates;
        return l.get(l.size() - 1);
    }

    @Test
    void twoWritersOnOneSlotAreNamedAndTheEarlierStopsWriting() throws Exception {
        Endpoint first = open("nodea", Map.of());
        Endpoint second = open("nodea", Map.of()); // the same name on a second node (or the path opened twice)
        await(Duration.ofSeconds(5), () -> !last(first).up(), "the first writer sees the other claim: "
                + first.context.linkStates);
        assertThat(last(first).reason()).startsWith("device: slot 0").contains("two nodes named 'nodea'");
        assertThatThrownBy(() -> first.send(new byte[] {1})).isInstanceOf(IOException.class).hasMessageContaining("slot 0");
        assertThat(last(second).up()).isTrue();
    }

    // ---- the poison pill ----

    @Test
    void aPoisonPillFromNodeAIsObeyedByNodeBWhoseCoreIsToldAndAIsToldItIsOffOnlyOnceBIsQuiet() throws Exception {
        Endpoint a = open("nodea", Map.of());
        Endpoint b = open("nodeb", Map.of());
        beatUntilHeard(a, b, "warm");
        DiskPoisonPillAgent agent = new DiskPoisonPillAgent(new FenceSigner("nodea", KEY));
        assertThat(agent.validate(Map.of("device", disk.device().toString()))).isEmpty();

        java.util.concurrent.CompletableFuture<FenceResult> fencing = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> agent.fence("nodeb", FenceAction.OFF, Map.of("device", disk.device().toString()),
                        budget(Duration.ofSeconds(20))));
        await(Duration.ofSeconds(5), () -> !b.context.fenceRequests.isEmpty(), "nodeb's core is told");
        assertThat(b.context.fenceRequests.get(0).from()).isEqualTo("nodea");
        assertThat(b.context.fenceRequests.get(0).reason()).contains("poison pill").contains("nodea");
        Thread.sleep(1000);
        assertThat(fencing).as("not off while nodeb's resources still stop (it answered 'obeying')").isNotDone();

        b.context.quiet = true; // nodeb's core: nothing runs any more
        FenceResult r = fencing.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.outcome()).as(r.message()).isEqualTo(FenceResult.Outcome.NODE_OFF);
        assertThat(r.message()).contains("acknowledged");
        int asked = b.context.fenceRequests.size();
        Thread.sleep(300);
        assertThat(b.context.fenceRequests).as("an acknowledged pill is not obeyed again").hasSize(asked);
        assertThat(a.context.fenceRequests).isEmpty();

        // nodeb restarts its path (or the node): the pill is on the disk still, acknowledged, so not obeyed again.
        b.close();
        endpoints.remove(b);
        Endpoint b2 = open("nodeb", Map.of());
        beatUntilHeard(b2, a, "restarted");
        Thread.sleep(300);
        assertThat(b2.context.fenceRequests).isEmpty();
    }

    @Test
    void aPillSignedWithAnotherKeyIsCountedAndNeverObeyed() throws Exception {
        Endpoint b = open("nodeb", Map.of());
        Endpoint a = open("nodea", Map.of());
        beatUntilHeard(a, b, "warm");
        DiskPoisonPillAgent forger = new DiskPoisonPillAgent(
                new FenceSigner("nodea", "somebody-elses-key-not-the-cluster".getBytes(StandardCharsets.US_ASCII)));
        FenceResult r = forger.fence("nodeb", FenceAction.OFF, Map.of("device", disk.device().toString()),
                budget(Duration.ofSeconds(2)));
        assertThat(r.outcome()).as(r.message()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(b.context.fenceRequests).isEmpty();
        assertThat(b.context.garbage).anyMatch(g -> g.contains("does not verify with the cluster key"));
    }

    @Test
    void aSilentTargetIsOffAfterTwiceItsSelfFenceBoundAndOneWithoutABoundNever() throws Exception {
        Endpoint b = open("nodeb", Map.of("self-fence-timeout-ms", "500"));
        Endpoint c = open("nodec", Map.of("self-fence-timeout-ms", "0"));
        b.close(); // nodeb and nodec lose power: their slots stay, nobody reads them
        c.close();
        DiskPoisonPillAgent agent = new DiskPoisonPillAgent(new FenceSigner("nodea", KEY));
        Map<String, String> dev = Map.of("device", disk.device().toString());

        long t0 = System.nanoTime();
        FenceResult r = agent.fence("nodeb", FenceAction.OFF, dev, budget(Duration.ofSeconds(10)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.outcome()).as(r.message()).isEqualTo(FenceResult.Outcome.NODE_OFF);
        assertThat(r.message()).contains("1000 ms");
        assertThat(ms).as("waited out 2 x 500 ms").isGreaterThanOrEqualTo(1000);

        FenceResult never = agent.fence("nodec", FenceAction.OFF, dev, budget(Duration.ofSeconds(2)));
        assertThat(never.outcome()).as(never.message()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(never.message()).contains("self-fence-timeout-ms=0");

        FenceResult unknown = agent.fence("nodez", FenceAction.OFF, dev, budget(Duration.ofSeconds(2)));
        assertThat(unknown.outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(unknown.message()).startsWith("device:").contains("no slot");
        assertThat(agent.fence("nodeb", FenceAction.OFF, Map.of(), budget(Duration.ofSeconds(1))).message())
                .startsWith("device:");
    }

    @Test
    void statusSaysOnForANodeThatWritesItsSlot() throws Exception {
        Endpoint b = open("nodeb", Map.of());
        DiskPoisonPillAgent agent = new DiskPoisonPillAgent(new FenceSigner("nodea", KEY));
        java.util.concurrent.CompletableFuture<FenceResult> status = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> agent.fence("nodeb", FenceAction.STATUS, Map.of("device", disk.device().toString()),
                        budget(Duration.ofSeconds(5))));
        for (int i = 0; i < 50 && !status.isDone(); i++) {
            b.send(("beat" + i).getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(50);
        }
        assertThat(status.get(5, java.util.concurrent.TimeUnit.SECONDS).outcome()).isEqualTo(FenceResult.Outcome.NODE_ON);
    }
}
