package org.vigil.resource.disk.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.vigil.plugin.support.disk.DirectIo;

/**
 * A block device: its number and size, and reads and writes the way two nodes sharing it must
 * ({@code O_DIRECT}, writes also {@code O_DSYNC}; shared with the disk heartbeat in plugin-support's
 * {@link DirectIo}).
 */
final class BlockDevice {

    /** The unit of every transfer: a multiple of every logical sector size in use (512 and 4096 bytes). */
    static final int BLOCK = DirectIo.BLOCK;

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

    /** Reads past the cache: see {@link DirectIo#read}. @return the bytes */
    static byte[] read(Path device, long offset, int length) throws IOException {
        return DirectIo.read(device, offset, length);
    }

    /** Writes through to the disk: see {@link DirectIo#write}. */
    static void write(Path device, long offset, byte[] bytes) throws IOException {
        DirectIo.write(device, offset, bytes);
    }

    /** The path exists but is no block device (a regular file, a directory, a character device). */
    static final class NotABlockDeviceException extends IOException {

        private static final long serialVersionUID = 1L;

        NotABlockDeviceException(Path path) {
            super(path + " is not a block device");
        }
    }
}
