package org.vigil.heartbeat.disk.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.vigil.plugin.support.disk.DirectIo;

/**
 * The on-disk layout of a heartbeat disk (see bundles/heartbeat-disk/README.md, "Disk heartbeat: the layout on the disk") and
 * the codec of its 4 KiB blocks. Big-endian. Block 0 of the device is the header, block 1 the quorum
 * disk's lock (the tie-breaker); slot {@code i} starts at block {@code 2 + i * SLOT_BLOCKS}:
 *
 * <pre>
 * slot block  what                 written by
 *          0  owner: claims the slot for a node name, its incarnation and self-fence bound   the owner
 *        1-8  message ring: frame n goes to block 1 + (n - 1) % 8                           the owner
 *          9  poison pill addressed to the owner                                            a fencer
 *         10  acknowledgement of the pill                                                   the owner
 *      11-15  unused (zeros)
 * </pre>
 *
 * <p>Every block ends with a CRC-32C of its first 4092 bytes. Decoding never throws: a block is zeros, a
 * well-formed block, or garbage with the reason (a torn write, random bytes, another program's data).
 */
final class DiskLayout {

    static final int BLOCK = DirectIo.BLOCK;
    static final byte[] MAGIC = "VIGILDHB".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int SLOT_BLOCKS = 16;
    static final int RING = 8;
    static final int OWNER = 0;
    static final int PILL = 1 + RING;
    static final int ACK = PILL + 1;
    /** Blocks 0..ACK of a slot: what a poll reads. */
    static final int USED_BLOCKS = ACK + 1;
    static final int MAX_SLOTS = 255;
    static final int MAX_NAME = 63;
    static final int PAYLOAD_OFFSET = 100;
    static final int CRC_OFFSET = BLOCK - 4;
    /** The largest payload a block holds: the largest frame of a disk path. */
    static final int MAX_PAYLOAD = CRC_OFFSET - PAYLOAD_OFFSET;

    static final int KIND_HEADER = 0;
    static final int KIND_OWNER = 1;
    static final int KIND_MESSAGE = 2;
    static final int KIND_PILL = 3;
    static final int KIND_ACK = 4;
    static final int KIND_LOCK = 5;
    /** Blocks before the first slot: the header and the lock. */
    static final int HEAD_BLOCKS = 2;
    /** The lock's block number. */
    static final int LOCK_BLOCK = 1;

    private DiskLayout() {
    }

    /** @param slots slot count; @return the bytes a layout with that many slots occupies */
    static long areaSize(int slots) {
        return (long) BLOCK * (HEAD_BLOCKS + (long) slots * SLOT_BLOCKS);
    }

    /** @return the byte offset of block {@code block} of slot {@code slot} */
    static long offset(int slot, int block) {
        return (long) BLOCK * (HEAD_BLOCKS + (long) slot * SLOT_BLOCKS + block);
    }

    /** What a block holds. */
    sealed interface Content {
    }

    /** All zeros: never written. */
    record Zero() implements Content {
    }

    /** Not a valid block. @param why what is wrong */
    record Garbage(String why) implements Content {
    }

    /**
     * The header, block 0.
     *
     * @param slots      how many slots
     * @param slotBlocks blocks per slot
     * @param ring       ring length
     * @param createdAt  wall clock of the node that laid the disk out, ms (for admins only)
     * @param creator    that node's name
     */
    record Header(int slots, int slotBlocks, int ring, long createdAt, String creator) implements Content {
    }

    /**
     * A slot block.
     *
     * @param kind        owner, message, pill, ack, or the lock
     * @param slot        the slot it belongs to (the lock: the holder's slot)
     * @param incarnation the slot owner's incarnation (random, chosen by the owner each time it opens the path)
     * @param sequence    messages: 1, 2, 3... within the incarnation; the lock: +1 at every claim or renewal;
     *                    other kinds: 0
     * @param writer      the node that wrote it
     * @param payload     a frame (message), a signed fence message (pill, ack), or the owner's bounds (owner)
     */
    record Block(int kind, int slot, long incarnation, long sequence, String writer, byte[] payload) implements Content {
    }

    /** @return the header block */
    static byte[] encode(Header h) {
        ByteBuffer b = start(KIND_HEADER);
        b.putInt(12, h.slots()).putInt(16, h.slotBlocks()).putInt(20, h.ring()).putLong(24, h.createdAt());
        name(b, h.creator());
        return seal(b);
    }

    /** @return the slot block */
    static byte[] encode(Block k) {
        if (k.payload().length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a block carries at most " + MAX_PAYLOAD + " bytes, not " + k.payload().length);
        }
        ByteBuffer b = start(k.kind());
        b.putInt(12, k.slot()).putLong(16, k.incarnation()).putLong(24, k.sequence());
        name(b, k.writer());
        b.putInt(96, k.payload().length);
        b.put(PAYLOAD_OFFSET, k.payload());
        return seal(b);
    }

    private static ByteBuffer start(int kind) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK).order(ByteOrder.BIG_ENDIAN);
        b.put(0, MAGIC).putShort(8, (short) VERSION).putShort(10, (short) kind);
        return b;
    }

    private static void name(ByteBuffer b, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length > MAX_NAME) {
            throw new IllegalArgumentException("a node name on the disk is 1 to " + MAX_NAME + " bytes: '" + name + "'");
        }
        b.put(32, (byte) n.length).put(33, n);
    }

    private static byte[] seal(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return b.array();
    }

    /**
     * @param data   bytes read from the disk
     * @param offset where the block starts
     * @return what the block holds; never throws
     */
    static Content decode(byte[] data, int offset) {
        if (data == null || offset < 0 || data.length - offset < BLOCK) {
            return new Garbage("short block");
        }
        if (isZero(data, offset)) {
            return new Zero();
        }
        if (!Arrays.equals(data, offset, offset + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Garbage("not a Vigil heartbeat block (no magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(data, offset, BLOCK).slice().order(ByteOrder.BIG_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(data, offset, CRC_OFFSET);
        if (b.getInt(CRC_OFFSET) != (int) crc.getValue()) {
            return new Garbage("checksum mismatch (a torn or damaged block)");
        }
        int version = b.getShort(8) & 0xffff;
        if (version != VERSION) {
            return new Garbage("layout version " + version + ", this node reads " + VERSION);
        }
        int kind = b.getShort(10) & 0xffff;
        int n = b.get(32) & 0xff;
        if (n > MAX_NAME || (kind != KIND_HEADER && n == 0)) {
            return new Garbage("bad name length " + n);
        }
        String name = new String(data, offset + 33, n, StandardCharsets.UTF_8);
        if (kind == KIND_HEADER) {
            int slots = b.getInt(12);
            int slotBlocks = b.getInt(16);
            int ring = b.getInt(20);
            if (slots < 1 || slots > MAX_SLOTS || slotBlocks != SLOT_BLOCKS || ring != RING) {
                return new Garbage("header with an unknown geometry (" + slots + " slots of " + slotBlocks
                        + " blocks, ring " + ring + ")");
            }
            return new Header(slots, slotBlocks, ring, b.getLong(24), name);
        }
        if (kind < KIND_OWNER || kind > KIND_LOCK) {
            return new Garbage("unknown block kind " + kind);
        }
        int slot = b.getInt(12);
        int length = b.getInt(96);
        if (slot < 0 || slot >= MAX_SLOTS) {
            return new Garbage("bad slot number " + slot);
        }
        if (length < 0 || length > MAX_PAYLOAD) {
            return new Garbage("bad payload length " + length);
        }
        long sequence = b.getLong(24);
        if (kind == KIND_MESSAGE || kind == KIND_LOCK ? sequence <= 0 : sequence != 0) {
            return new Garbage("bad sequence number " + sequence + " for a block of kind " + kind);
        }
        byte[] payload = Arrays.copyOfRange(data, offset + PAYLOAD_OFFSET, offset + PAYLOAD_OFFSET + length);
        return new Block(kind, slot, b.getLong(16), sequence, name, payload);
    }

    private static boolean isZero(byte[] data, int offset) {
        for (int i = offset; i < offset + BLOCK; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The owner block's payload: the owner's self-fence bound and poll interval, in ms. */
    static byte[] ownerPayload(int selfFenceMs, int intervalMs) {
        return ByteBuffer.allocate(8).putInt(selfFenceMs).putInt(intervalMs).array();
    }

    /** @return the self-fence bound an owner block publishes, or -1 when unreadable */
    static int selfFenceOf(Block owner) {
        return owner.payload().length >= 8 ? Math.max(-1, ByteBuffer.wrap(owner.payload()).getInt(0)) : -1;
    }

    /** @return the poll interval an owner block publishes, or 100 when unreadable */
    static int intervalOf(Block owner) {
        int v = owner.payload().length >= 8 ? ByteBuffer.wrap(owner.payload()).getInt(4) : 100;
        return v >= 10 && v <= 1000 ? v : 100;
    }
}
