package org.vigil.heartbeat.disk.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.heartbeat.disk.internal.DiskLayout.Block;
import org.vigil.heartbeat.disk.internal.DiskLayout.Content;
import org.vigil.plugin.support.disk.DirectIo;
import org.vigil.tck.heartbeat.Endpoint;
import org.vigil.tck.heartbeat.HeartbeatTransportContract;

/**
 * The shared transport contract over a real loop device, a fresh zeroed one per test, polled every 20 ms.
 * A disk path carries one frame per ring block between two polls of a reader, so bursts are paced to the
 * poll interval, the way heartbeats come. Garbage is written over the newest message block of the other
 * node's slot, as a torn write or a stray writer would leave it.
 */
class DiskTransportContractTest extends HeartbeatTransportContract {

    static final int INTERVAL_MS = 20;
    private final List<TestDisk> disks = new ArrayList<>();
    private final DiskTransportFactory factory = new DiskTransportFactory(null);
    private TestDisk disk;

    @BeforeAll
    static void prerequisites() {
        TestDisk.assumeUsable();
    }

    @AfterEach
    void removeDisks() {
        disks.forEach(TestDisk::close);
        disks.clear();
    }

    @Override
    protected HeartbeatTransportFactory factory() {
        return factory;
    }

    @Override
    protected List<Map<String, String>> connectedParameters(int count) throws Exception {
        disk = TestDisk.create(2);
        disks.add(disk);
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Map.of("device", disk.device().toString(), "interval-ms", Integer.toString(INTERVAL_MS)));
        }
        return out;
    }

    /** A write to the shared disk waits for the device (O_DIRECT): on a CI machine under I/O load, seconds (2.5 s seen). */
    @Override
    protected java.time.Duration sendBound() {
        return java.time.Duration.ofSeconds(10);
    }

    @Override
    protected void pace(int frameLength) throws InterruptedException {
        Thread.sleep(INTERVAL_MS);
    }

    @Override
    protected void injectGarbage(Endpoint target, byte[] garbage) throws Exception {
        DiskArea area = DiskArea.open(disk.device(), 16, "test", false);
        for (Map.Entry<Integer, Content> e : area.owners().entrySet()) {
            if (e.getValue() instanceof Block o && !o.writer().equals(target.name)) {
                int slot = e.getKey();
                byte[] raw = area.readSlot(slot);
                int newest = 1;
                long best = -1;
                for (int i = 1; i <= DiskLayout.RING; i++) {
                    if (DiskLayout.decode(raw, i * DiskLayout.BLOCK) instanceof Block b && b.sequence() > best) {
                        best = b.sequence();
                        newest = i;
                    }
                }
                byte[] block = area.readBlock(slot, newest);
                System.arraycopy(garbage, 0, block, 0, Math.min(garbage.length, block.length));
                DirectIo.write(disk.device(), DiskLayout.offset(slot, newest), block);
                return;
            }
        }
        throw new AssertionError("no other node's slot on " + disk.device());
    }
}
