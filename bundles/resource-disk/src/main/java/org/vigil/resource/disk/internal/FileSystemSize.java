package org.vigil.resource.disk.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

/**
 * Reads how far a file system extends on its device, from its superblock, without mounting it: the
 * reservation area at the end of the device must lie beyond it.
 */
final class FileSystemSize {

    /** How much of the device's start holds the superblocks read here. */
    static final int HEAD = BlockDevice.BLOCK;

    private static final int EXT_SUPERBLOCK = 1024;
    private static final int EXT_MAGIC = 0xEF53;
    private static final int EXT_INCOMPAT_64BIT = 0x80;

    private FileSystemSize() {
    }

    /**
     * @param fsType ext2, ext3, ext4 or xfs
     * @param head   the first {@link #HEAD} bytes of the device
     * @return the file system's size in bytes, or empty when the head holds no superblock of that family
     */
    static OptionalLong of(String fsType, byte[] head) {
        return fsType.equals("xfs") ? xfs(head) : ext(head);
    }

    /** ext2/3/4: little-endian superblock at offset 1024. */
    static OptionalLong ext(byte[] head) {
        ByteBuffer sb = ByteBuffer.wrap(head, EXT_SUPERBLOCK, 1024).slice().order(ByteOrder.LITTLE_ENDIAN);
        if ((sb.getShort(0x38) & 0xffff) != EXT_MAGIC) {
            return OptionalLong.empty();
        }
        long blocks = sb.getInt(0x04) & 0xffffffffL;
        int logBlockSize = sb.getInt(0x18);
        if (logBlockSize < 0 || logBlockSize > 6) {
            return OptionalLong.empty();
        }
        if ((sb.getInt(0x60) & EXT_INCOMPAT_64BIT) != 0) {
            blocks |= (sb.getInt(0x150) & 0xffffffffL) << 32;
        }
        return OptionalLong.of(blocks * (1024L << logBlockSize));
    }

    /** XFS: big-endian superblock at offset 0, "XFSB", block size, data blocks. */
    static OptionalLong xfs(byte[] head) {
        ByteBuffer sb = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN);
        if (sb.getInt(0) != 0x58465342) { // "XFSB"
            return OptionalLong.empty();
        }
        long blockSize = sb.getInt(4) & 0xffffffffL;
        long dataBlocks = sb.getLong(8);
        if (blockSize < 512 || blockSize > 65536 || dataBlocks < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(dataBlocks * blockSize);
    }
}
