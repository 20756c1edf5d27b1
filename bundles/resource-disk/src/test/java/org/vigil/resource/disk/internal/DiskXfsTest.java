package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;
import org.vigil.resource.disk.internal.TwoNodes.Node;

/** XFS: xfs_repair -n checks it, its superblock gives its size, and a whole-device one is refused. */
class DiskXfsTest {

    @TempDir
    Path stateDir;

    private LoopDisk disk;
    private Node node;

    @BeforeEach
    void prerequisites() {
        LoopDisk.assumeUsable("losetup", "mkfs.xfs", "xfs_repair", "mount", "umount");
    }

    @AfterEach
    void cleanUp() {
        if (node != null) {
            node.stop();
            node.close();
        }
        if (disk != null) {
            disk.close();
        }
    }

    @Test
    void anXfsDiskIsCheckedMountedProbedAndReleased() throws IOException {
        disk = LoopDisk.create(320, "xfs", true); // mkfs.xfs wants 300 MB; the image is sparse
        node = new Node("node1", disk, stateDir, Map.of("fstype", "xfs"));

        assertThat(node.start()).matches(OperationResult::isOk, "start");
        Files.writeString(node.mountPoint.resolve("x"), "on xfs");
        assertThat(node.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(node.stop()).matches(OperationResult::isOk, "stop");
        assertThat(disk.mountPoints()).isEmpty();
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                v -> assertThat(v.record().held()).isFalse());
    }

    @Test
    void anXfsFileSystemOverTheReservationAreaIsRefused() throws IOException {
        disk = LoopDisk.create(320, "xfs", false);
        node = new Node("node1", disk, stateDir, Map.of("fstype", "xfs"));

        OperationResult started = node.start();

        assertThat(started.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(started.message()).startsWith("device: the xfs file system").contains("mkfs.xfs -d size=");
        assertThat(disk.mountPoints()).isEmpty();
    }
}
