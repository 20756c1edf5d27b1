package org.vigil.resource.disk.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.ResourceAgentContract;

/** The disk agent passes the contract every resource agent passes, on a real loop device with ext4. */
@ExtendWith(ClassDisk.class)
class DiskAgentContractTest extends ResourceAgentContract {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    @ClassDisk.Shared
    private static LoopDisk disk;

    private Path mountPoint;

    @BeforeEach
    void freshMountPoint() {
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
