package org.vigil.systemtest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shared disk: a sparse image file attached as a loop device (every namespace of the machine sees the
 * same block device), with ext4 on all but its last MiB, as the disk agent's README says, populated at mkfs
 * time ({@code mkfs.ext4 -d}) from a seed directory, so nothing is mounted by the test itself.
 */
final class SharedLoopDisk implements AutoCloseable {

    static final int MIB = 64;

    private final Path image;
    private final String device;
    private final String majorMinor;

    private SharedLoopDisk(Path image, String device, String majorMinor) {
        this.image = image;
        this.device = device;
        this.majorMinor = majorMinor;
    }

    /**
     * @param image the image file to create (an older one and the loop devices still attached to it are removed)
     * @param seed  a directory whose content becomes the file system's
     */
    static SharedLoopDisk create(Path image, Path seed) {
        detachLeftovers(image);
        try {
            Files.deleteIfExists(image);
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength((long) MIB << 20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dev = Sh.ok("losetup", "--find", "--show", image.toString()).strip();
        SharedLoopDisk disk = null;
        try {
            String mm = Sh.read(Path.of("/sys/block", Path.of(dev).getFileName().toString(), "dev")).strip();
            disk = new SharedLoopDisk(image, dev, mm);
            long blocks = (long) MIB * 256 - 256; // 4 KiB blocks, the last MiB left for the reservation
            Sh.ok("mkfs.ext4", "-q", "-F", "-b", "4096", "-d", seed.toString(), dev, Long.toString(blocks));
            return disk;
        } catch (RuntimeException | Error e) {
            Sh.run("losetup", "-d", dev);
            throw e;
        }
    }

    String device() {
        return device;
    }

    /** @return "major:minor" of the loop device, as in mountinfo */
    String majorMinor() {
        return majorMinor;
    }

    /** @return true when the mountinfo text shows a file system of this device */
    boolean mountedIn(String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[2].equals(majorMinor)) {
                return true;
            }
        }
        return false;
    }

    /** @return every mount namespace on the machine (as /proc/PID/ns/mnt reads, "mnt:[...]") with this device mounted */
    java.util.Set<String> mountNamespacesHoldingIt() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    String ns = Files.readSymbolicLink(proc.resolve("ns/mnt")).toString();
                    if (seen.add(ns) && mountedIn(Files.readString(proc.resolve("mountinfo"), StandardCharsets.UTF_8))) {
                        out.add(ns);
                    }
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** @return the mount namespace of the process ("mnt:[...]"), or "" when it is gone */
    static String mountNamespaceOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Reads the reservation record (the first 4 KiB block of the last MiB; layout in the README) with O_DIRECT,
     * so what the nodes wrote is read, not a page cache.
     *
     * @return "held by NAME", "released by NAME", "empty", or what was found
     */
    String reservation() {
        long block = (long) MIB * 256 - 256;
        Path copy = null;
        try {
            copy = Files.createTempFile("vnf-reservation", ".bin");
            Sh.Result r = Sh.run(java.time.Duration.ofSeconds(10), List.of("dd", "if=" + device, "of=" + copy, "bs=4096",
                    "skip=" + block, "count=1", "iflag=direct", "status=none"));
            if (!r.ok()) {
                return "unreadable: " + r.output();
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(copy)); // big-endian
            byte[] magic = new byte[8];
            b.get(0, magic);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("VIGILRSV")) {
                boolean zero = true;
                for (byte x : b.array()) {
                    zero &= x == 0;
                }
                return zero ? "empty" : "not a Vigil record";
            }
            int state = b.getInt(12);
            int n = b.getShort(48) & 0xffff;
            byte[] name = new byte[Math.min(n, 255)];
            b.get(50, name);
            return (state == 1 ? "held by " : state == 0 ? "released by " : "state " + state + " by ")
                    + new String(name, StandardCharsets.UTF_8) + " (incarnation " + b.getLong(16) + ", renewals "
                    + b.getLong(24) + ")";
        } catch (IOException e) {
            return "unreadable: " + e;
        } finally {
            if (copy != null) {
                copy.toFile().delete();
            }
        }
    }

    @Override
    public void close() {
        Sh.Result r = Sh.run("losetup", "-d", device);
        if (!r.ok()) {
            System.err.println("[system] losetup -d " + device + ": " + r.output());
        }
        try {
            Files.deleteIfExists(image);
        } catch (IOException e) {
            System.err.println("[system] cannot delete " + image + ": " + e);
        }
    }

    /** Detaches loop devices still attached to the image (left by an interrupted run). */
    static void detachLeftovers(Path image) {
        if (!Files.exists(image)) {
            return;
        }
        for (String line : Sh.run("losetup", "-j", image.toString()).output().split("\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("/dev/loop") && colon > 0) {
                Sh.run("losetup", "-d", line.substring(0, colon));
            }
        }
    }
}
