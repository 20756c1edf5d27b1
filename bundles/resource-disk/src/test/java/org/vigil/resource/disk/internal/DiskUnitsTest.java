package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.ResultCode;
import org.vigil.resource.disk.internal.ReservationRecord.Empty;
import org.vigil.resource.disk.internal.ReservationRecord.Foreign;
import org.vigil.resource.disk.internal.ReservationRecord.Unreadable;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;

/** The pure parts: the record layout, superblock sizes, the mount table, device numbers, fsck exit codes. */
class DiskUnitsTest {

    @Test
    void aRecordSurvivesEncodingAndItsLayoutIsAsDocumented() {
        ReservationRecord r = new ReservationRecord(true, 7, 42, 1_700_000_000_123L, 10_000, "nöde-1");
        byte[] block = r.encode();

        assertThat(block).hasSize(4096);
        assertThat(new String(block, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("VIGILRSV");
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.BIG_ENDIAN);
        assertThat(b.getInt(8)).isEqualTo(1);
        assertThat(b.getInt(12)).isEqualTo(1);
        assertThat(b.getLong(16)).isEqualTo(7);
        assertThat(b.getLong(24)).isEqualTo(42);
        assertThat(b.getLong(32)).isEqualTo(1_700_000_000_123L);
        assertThat(b.getLong(40)).isEqualTo(10_000);
        assertThat(b.getShort(48)).isEqualTo((short) "nöde-1".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(ReservationRecord.decode(block)).isEqualTo(new Valid(r));
    }

    @Test
    void zerosAreEmptyATornRecordIsUnreadableAndAnythingElseIsForeign() {
        assertThat(ReservationRecord.decode(new byte[4096])).isInstanceOf(Empty.class);

        byte[] torn = new ReservationRecord(false, 1, 2, 3, 4, "n").encode();
        torn[60] ^= 1;
        assertThat(ReservationRecord.decode(torn)).isInstanceOfSatisfying(Unreadable.class,
                u -> assertThat(u.why()).contains("checksum"));

        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        assertThat(ReservationRecord.decode(random)).isInstanceOf(Foreign.class);
    }

    @Test
    void theAreaIsTheLastMibOfTheAlignedDevice() {
        assertThat(Reservation.areaOffset(64L << 20)).isEqualTo(63L << 20);
        assertThat(Reservation.areaOffset((64L << 20) + 1536)).isEqualTo(63L << 20); // a partial block is ignored
    }

    @Test
    void fileSystemSizesComeFromTheSuperblock() {
        byte[] ext = new byte[4096];
        ByteBuffer e = ByteBuffer.wrap(ext, 1024, 1024).slice().order(ByteOrder.LITTLE_ENDIAN);
        e.putShort(0x38, (short) 0xEF53).putInt(0x04, 16128).putInt(0x18, 2); // 4 KiB blocks
        assertThat(FileSystemSize.of("ext4", ext)).hasValue(16128L * 4096);
        e.putInt(0x60, 0x80).putInt(0x150, 1); // 64bit: high word of the block count
        assertThat(FileSystemSize.of("ext4", ext)).hasValue(((1L << 32) + 16128) * 4096);
        assertThat(FileSystemSize.of("xfs", ext)).isEmpty();

        byte[] xfs = new byte[4096];
        ByteBuffer.wrap(xfs).order(ByteOrder.BIG_ENDIAN).putInt(0, 0x58465342).putInt(4, 4096).putLong(8, 81920);
        assertThat(FileSystemSize.of("xfs", xfs)).hasValue(81920L * 4096);
        assertThat(FileSystemSize.of("ext3", xfs)).isEmpty();
    }

    @Test
    void theMountTableIsParsedWithEscapesOptionalFieldsAndStacking() {
        MountTable t = MountTable.parse(String.join("\n",
                "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
                "40 22 7:3 / /srv/my\\040disk rw,noatime shared:5 master:2 - ext4 /dev/loop3 rw",
                "41 40 7:3 /sub /srv/my\\040disk/bind rw - ext4 /dev/loop3 rw",
                "42 22 0:50 / /srv/my\\040disk ro - tmpfs tmpfs rw",
                "garbage line"));

        assertThat(t.all()).hasSize(4);
        MountTable.Mount disk = t.all().get(1);
        assertThat(disk.mountPoint()).isEqualTo("/srv/my disk");
        assertThat(disk.device()).isEqualTo(new DeviceNumber(7, 3));
        assertThat(disk.fsType()).isEqualTo("ext4");
        assertThat(disk.source()).isEqualTo("/dev/loop3");
        assertThat(disk.options()).contains("noatime");
        assertThat(t.of(new DeviceNumber(7, 3))).hasSize(2);
        assertThat(t.at(Path.of("/srv/my disk"))).hasSize(2);
        assertThat(t.topAt(Path.of("/srv/my disk")).orElseThrow().fsType()).isEqualTo("tmpfs");
        assertThat(t.topAt(Path.of("/srv/my disk")).orElseThrow().readOnly()).isTrue();
        assertThat(t.inside(disk)).extracting(MountTable.Mount::id).containsExactly(41);
        assertThat(MountTable.unescape("a\\011b\\134c\\012")).isEqualTo("a\tb\\c\n");
    }

    @Test
    void deviceNumbersRoundTripThroughDevT() {
        for (DeviceNumber n : new DeviceNumber[] {new DeviceNumber(7, 3), new DeviceNumber(259, 1),
                new DeviceNumber(8, 300), new DeviceNumber(4095, 1_048_575)}) {
            assertThat(DeviceNumber.ofDev(n.toDev())).isEqualTo(n);
        }
        assertThat(new DeviceNumber(7, 3).toDev()).isEqualTo(0x703);
        assertThat(DeviceNumber.parse("fd:01", 16)).isEqualTo(new DeviceNumber(253, 1));
    }

    @Test
    void fsckExitCodesAreReadAsDocumented() {
        Path dev = Path.of("/dev/loop3");
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(0, "clean", "", false)).code()).isEqualTo(ResultCode.OK);
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(1, "fixed", "", false)).message())
                .contains("fixed errors").contains("fixed");
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(2, "", "", false)).code()).isEqualTo(ResultCode.OK);
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(4, "UNEXPECTED INCONSISTENCY", "", false)))
                .satisfies(r -> assertThat(r.code()).isEqualTo(ResultCode.FAILED))
                .satisfies(r -> assertThat(r.message()).contains("exit 4").contains("UNEXPECTED INCONSISTENCY"));
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(8, "", "", false)).code()).isEqualTo(ResultCode.FAILED);
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(-1, "", "", true)).message()).contains("did not finish");
        assertThat(Fsck.interpret("ext4", dev, new CommandResult(127, "", "", false)).code())
                .isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(Fsck.interpret("xfs", dev, new CommandResult(0, "", "", false)).code()).isEqualTo(ResultCode.OK);
        assertThat(Fsck.interpret("xfs", dev, new CommandResult(2, "", "", false)).message()).contains("dirty");
        assertThat(Fsck.interpret("xfs", dev, new CommandResult(1, "", "bad", false)).code())
                .isEqualTo(ResultCode.FAILED);
        assertThat(Fsck.command("xfs", dev)).containsExactly("xfs_repair", "-n", "/dev/loop3");
        assertThat(Fsck.command("ext3", dev)).containsExactly("e2fsck", "-p", "/dev/loop3");
    }
}
