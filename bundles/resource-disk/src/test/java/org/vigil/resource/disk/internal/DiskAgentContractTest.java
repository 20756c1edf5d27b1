package org.vigil.resource.disk.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.ResourceAgentContract;

/** The disk agent passes the contract every resource agent passes, on a real loop device with ext4. */
class DiskAgentContractTest extends ResourceAgentContract {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static LoopDisk disk;

    private Path mountPoint;

    @BeforeAll
    static void attachDisk() throws IOException {
        LoopDisk.assumeUsable("losetup", "mkfs.ext4", "e2fsck", "mount", "umount");
        disk = LoopDisk.create(32, true);
    }

    @AfterAll
    static void detachDisk() {
        if (disk != null) {
            disk.close();
            disk = null;
        }
    }

    @BeforeEach
    void freshDisk() throws IOException {
        disk.unmountAll();
        disk.clearReservation();
        mountPoint = disk.dir().resolve("mnt-" + COUNTER.incrementAndGet()); // does not exist: start creates it
    }

    @Override
    protected ResourceType type() {
        return new DiskResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return Map.of("device", disk.device().toString(), "mount-point", mountPoint.toString());
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        return Map.entry(Map.of("device", "/dev/loop0", "mount-point", "relative/dir"), "mount-point");
    }
}
