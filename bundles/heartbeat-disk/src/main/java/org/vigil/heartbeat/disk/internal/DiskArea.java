package org.vigil.heartbeat.disk.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.vigil.heartbeat.disk.internal.DiskLayout.Block;
import org.vigil.heartbeat.disk.internal.DiskLayout.Content;
import org.vigil.heartbeat.disk.internal.DiskLayout.Header;
import org.vigil.plugin.support.disk.DirectIo;

/**
 * The heartbeat area of one shared device: checks that the device may be used, lays out an empty one,
 * and reads and writes slot blocks with {@code O_DIRECT} (writes {@code O_DSYNC}), opening the device for
 * each transfer so that a device that goes away is noticed at once and never held.
 *
 * <p>The device must be dedicated to the heartbeat (like sbd's): Vigil uses it from byte 0. It refuses a
 * device with a mounted file system, one that another layer holds (LVM, md, dm), and one whose area holds
 * anything but zeros or Vigil's own blocks (a file system signature, a partition table, anybody's data).
 */
final class DiskArea {

    private final Path device;
    private final int slots;

    private DiskArea(Path device, int slots) {
        this.device = device;
        this.slots = slots;
    }

    Path device() {
        return device;
    }

    int slots() {
        return slots;
    }

    /**
     * Opens the area of a device, laying it out when it is all zeros.
     *
     * @param device  the device
     * @param slots   the slot count for a new layout
     * @param node    this node, named in a new header
     * @param create  false: refuse a device that is not laid out yet (the fence agent never writes a header)
     * @return the area
     * @throws IOException naming {@code device} when the device cannot or must not be used
     */
    static DiskArea open(Path device, int slots, String node, boolean create) throws IOException {
        String name = DiskConfig.DEVICE + ": " + device;
        if (!Files.exists(device)) {
            throw new IOException(name + " does not exist");
        }
        long size;
        if (Files.isRegularFile(device)) {
            size = Files.size(device);
        } else if (isBlockDevice(device)) {
            String number = deviceNumber(device);
            refuseIfInUse(device, number);
            size = Long.parseLong(Files.readString(Path.of("/sys/dev/block/" + number + "/size")).strip()) * 512;
        } else {
            throw new IOException(name + " is neither a block device nor a file");
        }
        byte[] head = read(device, 0, DiskLayout.BLOCK, name);
        Content c = DiskLayout.decode(head, 0);
        if (c instanceof Header h) {
            if (size < DiskLayout.areaSize(h.slots())) {
                throw new IOException(name + " is " + size + " bytes, smaller than its own layout of " + h.slots()
                        + " slots (" + DiskLayout.areaSize(h.slots()) + " bytes): was it shrunk or replaced?");
            }
            return new DiskArea(device, h.slots());
        }
        if (!(c instanceof DiskLayout.Zero)) {
            throw new IOException(name + " holds data that is not a Vigil heartbeat layout (its first block is "
                    + "neither zeros nor Vigil's: a file system, a partition table or another program's data?). "
                    + "Refusing to overwrite it. Give the disk heartbeat a device of its own; if this one is unused, "
                    + "clear its first " + DiskLayout.areaSize(slots) / 1024 + " KiB: dd if=/dev/zero of=" + device
                    + " bs=4096 count=" + DiskLayout.areaSize(slots) / 4096 + " oflag=direct");
        }
        if (!create) {
            throw new IOException(name + " has no heartbeat layout yet: no node has opened a disk heartbeat path on it");
        }
        long need = DiskLayout.areaSize(slots);
        if (size < need) {
            throw new IOException(name + " is " + size + " bytes; " + slots + " slots need " + need + " bytes ("
                    + DiskConfig.SLOTS + ")");
        }
        // An empty first block is not enough: a file system may keep its signature further in (btrfs at 64 KiB).
        byte[] area = read(device, 0, (int) need, name);
        if (!DirectIo.isZero(area)) {
            int at = 0;
            while (area[at] == 0) {
                at++;
            }
            throw new IOException(name + " holds data at byte " + at + " of the area a heartbeat layout of " + slots
                    + " slots would use (the first " + need / 1024 + " KiB), which is not all zeros: refusing to "
                    + "overwrite it. Give the disk heartbeat a device of its own, or clear the area: dd if=/dev/zero of="
                    + device + " bs=4096 count=" + need / 4096 + " oflag=direct");
        }
        DirectIo.write(device, 0, DiskLayout.encode(new Header(slots, DiskLayout.SLOT_BLOCKS, DiskLayout.RING,
                System.currentTimeMillis(), node)));
        // Two nodes laying out the same disk at once: whoever wrote last wins, and both use what is there.
        Content back = DiskLayout.decode(read(device, 0, DiskLayout.BLOCK, name), 0);
        if (back instanceof Header h) {
            return new DiskArea(device, h.slots());
        }
        throw new IOException(name + ": the header just written does not read back (" + back + ")");
    }

    private static byte[] read(Path device, long offset, int length, String name) throws IOException {
        try {
            return DirectIo.read(device, offset, length);
        } catch (java.io.EOFException e) {
            throw new IOException(name + " is too small for a heartbeat layout (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IOException(name + ": cannot read with O_DIRECT (" + e.getMessage() + "); tmpfs does not "
                    + "support it: use a block device, or for tests a file on ext4 or xfs", e);
        }
    }

    private static boolean isBlockDevice(Path device) throws IOException {
        int mode = (Integer) Files.getAttribute(device, "unix:mode");
        return (mode & 0170000) == 0060000;
    }

    private static String deviceNumber(Path device) throws IOException {
        long dev = (Long) Files.getAttribute(device, "unix:rdev");
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
        return (major & 0xffffffffL) + ":" + (minor & 0xffffffffL);
    }

    /** A mounted file system on the device or one of its partitions, or a layer above it, makes it unusable. */
    private static void refuseIfInUse(Path device, String number) throws IOException {
        List<String> numbers = new java.util.ArrayList<>(List.of(number));
        Path sys = Path.of("/sys/dev/block/" + number);
        if (Files.isDirectory(sys)) {
            try (Stream<Path> s = Files.list(sys.toRealPath())) {
                s.filter(p -> Files.exists(p.resolve("partition"))).forEach(p -> {
                    try {
                        numbers.add(Files.readString(p.resolve("dev")).strip());
                    } catch (IOException ignored) {
                        // a partition that vanished meanwhile
                    }
                });
            }
            try (Stream<Path> s = Files.list(sys.resolve("holders"))) {
                List<String> holders = s.map(p -> p.getFileName().toString()).toList();
                if (!holders.isEmpty()) {
                    throw new IOException(DiskConfig.DEVICE + ": " + device + " is held by " + holders
                            + " (LVM, md or device-mapper): it is in use, refusing it");
                }
            } catch (NoSuchFileException ignored) {
                // no holders directory
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && numbers.contains(f[2])) {
                throw new IOException(DiskConfig.DEVICE + ": " + device + (f[2].equals(number) ? "" : " (partition "
                        + f[2] + ")") + " holds a mounted file system (at " + f[4] + "): refusing to use it as a "
                        + "heartbeat disk");
            }
        }
    }

    /** @return blocks 0..ACK of a slot, one read */
    byte[] readSlot(int slot) throws IOException {
        return DirectIo.read(device, DiskLayout.offset(slot, 0), DiskLayout.USED_BLOCKS * DiskLayout.BLOCK);
    }

    /** @return one block of a slot */
    byte[] readBlock(int slot, int block) throws IOException {
        return DirectIo.read(device, DiskLayout.offset(slot, block), DiskLayout.BLOCK);
    }

    /** Writes one block of a slot; on the disk when this returns. */
    void write(int slot, int block, byte[] bytes) throws IOException {
        DirectIo.write(device, DiskLayout.offset(slot, block), bytes);
    }

    /** @return the lock block (the tie-breaker's) */
    byte[] readLock() throws IOException {
        return DirectIo.read(device, (long) DiskLayout.LOCK_BLOCK * DiskLayout.BLOCK, DiskLayout.BLOCK);
    }

    /** Writes the lock block; on the disk when this returns. */
    void writeLock(byte[] bytes) throws IOException {
        DirectIo.write(device, (long) DiskLayout.LOCK_BLOCK * DiskLayout.BLOCK, bytes);
    }

    /** @return what each slot's owner block holds, by slot */
    Map<Integer, Content> owners() throws IOException {
        Map<Integer, Content> out = new LinkedHashMap<>();
        for (int i = 0; i < slots; i++) {
            out.put(i, DiskLayout.decode(readBlock(i, DiskLayout.OWNER), 0));
        }
        return out;
    }

    /** @return the slot whose owner block names this node, or -1 */
    static int slotOf(Map<Integer, Content> owners, String node) {
        for (Map.Entry<Integer, Content> e : owners.entrySet()) {
            if (e.getValue() instanceof Block b && b.kind() == DiskLayout.KIND_OWNER && b.slot() == e.getKey()
                    && b.writer().equals(node)) {
                return e.getKey();
            }
        }
        return -1;
    }
}
