package org.vigil.resource.disk.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.vigil.plugin.support.disk.DirectIo;

/**
 * The ownership record kept in the first 4 KiB block of a disk's reservation area (see bundles/resource-disk/README.md,
 * "Shared disk: the reservation on the disk"). Big-endian:
 *
 * <pre>
 * offset size  field
 *      0    8  magic "VIGILRSV"
 *      8    4  layout version (1)
 *     12    4  state: 0 released, 1 held
 *     16    8  incarnation: +1 each time a node acquires the disk (fresh or by takeover)
 *     24    8  renewals: +1 at every write (a challenger watches this to tell a live holder)
 *     32    8  written at: the writer's wall clock, ms since 1970 (for admins only; never used to decide)
 *     40    8  lease: the writer's reservation-timeout in ms (a challenger waits this long for a renewal)
 *     48    2  length n of the node name in bytes (at most 255)
 *     50    n  node name, UTF-8
 *   4092    4  CRC-32C of bytes 0..4091
 * </pre>
 *
 * @param held        true while a node holds the disk; false once it released it
 * @param incarnation the acquisition counter
 * @param renewals    the write counter
 * @param writtenAt   the writer's wall-clock time of the write, ms since the epoch
 * @param leaseMillis the writer's lease
 * @param node        the holder (or, released, the last holder)
 */
record ReservationRecord(boolean held, long incarnation, long renewals, long writtenAt, long leaseMillis,
        String node) {

    static final byte[] MAGIC = "VIGILRSV".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int MAX_NODE_BYTES = 255;
    static final int CRC_OFFSET = BlockDevice.BLOCK - 4;

    /** What the record block holds. */
    sealed interface Content {
        /** @return a few words for a message */
        String describe();
    }

    /** All zeros: never used (a fresh disk, or an area cleared by the admin). */
    record Empty() implements Content {
        @Override
        public String describe() {
            return "empty (never reserved)";
        }
    }

    /** A well-formed record. @param record the record */
    record Valid(ReservationRecord record) implements Content {
        @Override
        public String describe() {
            return record.held() ? "held by node '" + record.node() + "' (incarnation " + record.incarnation() + ")"
                    : "released by node '" + record.node() + "'";
        }
    }

    /** Vigil's magic with a bad checksum or an unknown layout: torn by a crash mid-write, or newer. @param why what is wrong */
    record Unreadable(String why) implements Content {
        @Override
        public String describe() {
            return "unreadable (" + why + ")";
        }
    }

    /** Neither zeros nor Vigil's: something else uses the area. */
    record Foreign() implements Content {
        @Override
        public String describe() {
            return "foreign data (not a Vigil reservation)";
        }
    }

    /** @return the 4 KiB block */
    byte[] encode() {
        byte[] name = node.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_NODE_BYTES) {
            throw new IllegalArgumentException("node name longer than " + MAX_NODE_BYTES + " bytes: " + node);
        }
        ByteBuffer b = ByteBuffer.allocate(BlockDevice.BLOCK).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(held ? 1 : 0).putLong(incarnation).putLong(renewals).putLong(writtenAt)
                .putLong(leaseMillis).putShort((short) name.length).put(name);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return b.array();
    }

    /** @param block the 4 KiB block read from the disk; @return what it holds */
    static Content decode(byte[] block) {
        if (block.length != BlockDevice.BLOCK) {
            throw new IllegalArgumentException("a record block is " + BlockDevice.BLOCK + " bytes");
        }
        if (DirectIo.isZero(block)) {
            return new Empty();
        }
        if (!Arrays.equals(block, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Foreign();
        }
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.BIG_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(block, 0, CRC_OFFSET);
        if (b.getInt(CRC_OFFSET) != (int) crc.getValue()) {
            return new Unreadable("checksum mismatch");
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            return new Unreadable("layout version " + version + ", this agent reads " + VERSION);
        }
        int state = b.getInt(12);
        int nameLength = b.getShort(48) & 0xffff;
        if ((state != 0 && state != 1) || nameLength > MAX_NODE_BYTES) {
            return new Unreadable("bad state or name length");
        }
        String node = new String(block, 50, nameLength, StandardCharsets.UTF_8);
        return new Valid(new ReservationRecord(state == 1, b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40),
                node));
    }
}
