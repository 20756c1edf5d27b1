package org.vigil.resource.disk.internal;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Reads and writes a block device the way two nodes sharing it must: with {@code O_DIRECT}, so a read
 * goes to the disk rather than to this node's page cache (which knows nothing of the other node's
 * writes), and a write reaches the disk before it returns ({@code O_DIRECT | O_DSYNC}).
 */
final class BlockDevice {

    /** The unit of every transfer: a multiple of every logical sector size in use (512 and 4096 bytes). */
    static final int BLOCK = 4096;

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private BlockDevice() {
    }

    /**
     * @param device a path to a block device (symbolic links are followed)
     * @return its device number
     * @throws NoSuchFileException when it does not exist
     * @throws NotABlockDeviceException when it exists but is not a block device
     * @throws IOException when it cannot be examined
     */
    static DeviceNumber number(Path device) throws IOException {
        int mode = (Integer) Files.getAttribute(device, "unix:mode");
        if ((mode & S_IFMT) != S_IFBLK) {
            throw new NotABlockDeviceException(device);
        }
        return DeviceNumber.ofDev((Long) Files.getAttribute(device, "unix:rdev"));
    }

    /** @param n a block device's number; @return its size in bytes, as the kernel reports it in sysfs */
    static long size(DeviceNumber n) throws IOException {
        String sectors = Files.readString(Path.of("/sys/dev/block/" + n + "/size")).strip();
        try {
            return Long.parseLong(sectors) * 512;
        } catch (NumberFormatException e) {
            throw new IOException("unreadable size of block device " + n + ": '" + sectors + "'");
        }
    }

    /**
     * @param device the device
     * @param offset where to read, a multiple of {@link #BLOCK}
     * @param length how much, a multiple of {@link #BLOCK}
     * @return the bytes, read past any cache
     */
    static byte[] read(Path device, long offset, int length) throws IOException {
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
    static void write(Path device, long offset, byte[] bytes) throws IOException {
        ByteBuffer buffer = aligned(bytes.length);
        buffer.put(bytes).flip();
        try (FileChannel ch = FileChannel.open(device, Set.<OpenOption>of(StandardOpenOption.WRITE,
                StandardOpenOption.DSYNC, ExtendedOpenOption.DIRECT))) {
            while (buffer.hasRemaining()) {
                ch.write(buffer, offset + buffer.position());
            }
        }
    }

    private static ByteBuffer aligned(int length) {
        if (length % BLOCK != 0) {
            throw new IllegalArgumentException("transfer of " + length + " bytes is not a multiple of " + BLOCK);
        }
        ByteBuffer b = ByteBuffer.allocateDirect(length + BLOCK).alignedSlice(BLOCK);
        b.limit(length);
        return b;
    }

    /** The path exists but is no block device (a regular file, a directory, a character device). */
    static final class NotABlockDeviceException extends IOException {

        private static final long serialVersionUID = 1L;

        NotABlockDeviceException(Path path) {
            super(path + " is not a block device");
        }
    }
}
