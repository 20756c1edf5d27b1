package org.vigil.plugin.support.disk;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Reads and writes a device shared by several nodes the way they must: with {@code O_DIRECT}, so a read
 * goes to the disk rather than to this node's page cache (which knows nothing of the other nodes'
 * writes), and a write reaches the disk before it returns ({@code O_DIRECT | O_DSYNC}). Transfers are
 * whole, aligned 4 KiB blocks. Each call opens and closes the device, so a device that goes away (or is
 * replaced) is noticed at the next call and never held open. Kept in its own package so that only the
 * plug-ins that use shared disks embed it (the disk resource's reservation, the disk heartbeat).
 *
 * <p>Needs a file system or device that supports {@code O_DIRECT}: block devices and ext4/xfs files do,
 * tmpfs does not (the open fails with "Invalid argument").
 */
public final class DirectIo {

    /** The unit of every transfer: a multiple of every logical sector size in use (512 and 4096 bytes). */
    public static final int BLOCK = 4096;

    private DirectIo() {
    }

    /**
     * @param device the device (or a file on a file system with O_DIRECT)
     * @param offset where to read, a multiple of {@link #BLOCK}
     * @param length how much, a multiple of {@link #BLOCK}
     * @return the bytes, read past any cache
     * @throws EOFException when the device ends before {@code offset + length}
     */
    public static byte[] read(Path device, long offset, int length) throws IOException {
        ByteBuffer buffer = aligned(length);
        try (FileChannel ch = FileChannel.open(device, Set.<OpenOption>of(StandardOpenOption.READ,
                ExtendedOpenOption.DIRECT))) {
            while (buffer.hasRemaining()) {
                if (ch.read(buffer, offset + buffer.position()) < 0) {
                    throw new EOFException("end of " + device + " at offset " + (offset + buffer.position()));
                }
            }
        }
        buffer.flip();
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    /**
     * @param device the device
     * @param offset where to write, a multiple of {@link #BLOCK}
     * @param bytes  what, a multiple of {@link #BLOCK} long; on the disk when this returns
     */
    public static void write(Path device, long offset, byte[] bytes) throws IOException {
        ByteBuffer buffer = aligned(bytes.length);
        buffer.put(bytes).flip();
        try (FileChannel ch = FileChannel.open(device, Set.<OpenOption>of(StandardOpenOption.WRITE,
                StandardOpenOption.DSYNC, ExtendedOpenOption.DIRECT))) {
            while (buffer.hasRemaining()) {
                ch.write(buffer, offset + buffer.position());
            }
        }
    }

    /** @param bytes a block; @return true when every byte is zero (a never-used area) */
    public static boolean isZero(byte[] bytes) {
        for (byte x : bytes) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer aligned(int length) {
        if (length <= 0 || length % BLOCK != 0) {
            throw new IllegalArgumentException("transfer of " + length + " bytes is not a multiple of " + BLOCK);
        }
        ByteBuffer b = ByteBuffer.allocateDirect(length + BLOCK).alignedSlice(BLOCK);
        b.limit(length);
        return b;
    }
}
