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
import org.vigil.resource.disk.internal.ReservationRecord.Empty;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;
import org.vigil.resource.disk.internal.TwoNodes.Node;

/**
 * Start checks the file system with e2fsck -p: a dirty one is fixed and mounted, one with errors that
 * need a human fails the start with e2fsck's output and mounts nothing; a file system that reaches into
 * the reservation area is refused before anything is written. Each test gets a disk of its own.
 */
class DiskFsckTest {

    @TempDir
    Path stateDir;

    private LoopDisk disk;
    private Node node;

    @BeforeEach
    void prerequisites() {
        LoopDisk.assumeUsable("losetup", "mkfs.ext4", "e2fsck", "debugfs", "mount", "umount");
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
    void aFileSystemNotCleanlyUnmountedIsCheckedFixedAndMounted() throws IOException {
        disk = LoopDisk.create(32, true);
        debugfs("ssv state 0"); // "not clean": as after a crash
        node = new Node("node1", disk, stateDir, Map.of());

        OperationResult started = node.start();

        assertThat(started).matches(OperationResult::isOk, "start: " + started);
        assertThat(started.message()).contains("e2fsck -p fixed errors").contains("was not cleanly unmounted");
        assertThat(disk.mountPoints()).containsExactly(node.mountPoint.toString());
    }

    @Test
    void aFileSystemWithErrorsFsckCannotFixFailsTheStartWithItsOutput() throws IOException {
        disk = LoopDisk.create(32, true);
        Path mnt = disk.dir().resolve("prepare");
        Files.createDirectories(mnt);
        disk.check(LoopDisk.run("mount", disk.device().toString(), mnt.toString()));
        Files.createDirectory(mnt.resolve("d"));
        disk.check(LoopDisk.run("umount", mnt.toString()));
        debugfs("sif /d mode 0100644"); // a directory whose inode says "regular file": needs a human
        debugfs("ssv state 0");
        node = new Node("node1", disk, stateDir, Map.of());

        OperationResult started = node.start();

        assertThat(started.code()).isEqualTo(ResultCode.FAILED);
        assertThat(started.message()).contains("fsck: e2fsck -p found errors").contains("exit 4")
                .contains("UNEXPECTED INCONSISTENCY").contains("nothing was mounted");
        assertThat(disk.mountPoints()).isEmpty();
        assertThat(disk.reservation()).as("the reservation taken for the start is given back")
                .isInstanceOfSatisfying(Valid.class, v -> assertThat(v.record().held()).isFalse());
    }

    @Test
    void withFsckFalseNoCheckRuns() throws IOException {
        disk = LoopDisk.create(32, true);
        debugfs("ssv state 0");
        node = new Node("node1", disk, stateDir, Map.of("fsck", "false"));

        OperationResult started = node.start();

        assertThat(started).matches(OperationResult::isOk, "start: " + started);
        assertThat(started.message()).doesNotContain("e2fsck");
    }

    @Test
    void aFileSystemOverTheReservationAreaIsRefusedBeforeAnythingIsWritten() throws IOException {
        disk = LoopDisk.create(32, false);
        byte[] before = BlockDevice.read(disk.device(), disk.recordOffset(), BlockDevice.BLOCK);
        node = new Node("node1", disk, stateDir, Map.of());

        OperationResult started = node.start();

        assertThat(started.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(started.message()).startsWith("device: ").contains("reaches into the reservation area")
                .contains("mkfs.ext4 -b 4096 " + disk.device() + " 7936").contains("reservation=false");
        assertThat(BlockDevice.read(disk.device(), disk.recordOffset(), BlockDevice.BLOCK)).isEqualTo(before);
        assertThat(disk.mountPoints()).isEmpty();

        node.close();
        node = new Node("node1", disk, stateDir, Map.of("reservation", "false"));
        assertThat(node.start()).matches(OperationResult::isOk, "without reservation it mounts");
        assertThat(node.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(node.stop()).matches(OperationResult::isOk, "stop");
        assertThat(disk.reservation()).isNotInstanceOf(Valid.class);
    }

    @Test
    void aDeviceWithoutTheFileSystemIsRefusedNamingTheDevice() throws IOException {
        disk = LoopDisk.create(32, true);
        BlockDevice.write(disk.device(), 0, new byte[BlockDevice.BLOCK]); // wipe the ext4 superblock
        node = new Node("node1", disk, stateDir, Map.of());

        OperationResult started = node.start();

        assertThat(started.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(started.message()).startsWith("device: no ext4 file system on " + disk.device());
        assertThat(disk.reservation()).isInstanceOf(Empty.class);
    }

    private void debugfs(String request) {
        disk.check(LoopDisk.run("debugfs", "-w", "-R", request, disk.device().toString()));
    }
}
