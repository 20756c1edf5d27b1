package org.vigil.resource.disk.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real shared disk for tests: an image file attached as a loop device, with an ext4 file system on all
 * but its last MiB (the reservation area), as an admin would create it. Everything it creates (mounts of
 * its device, the loop device, the image, its directory) is removed by {@link #close()}.
 */
final class LoopDisk implements AutoCloseable {

    private final Path dir;
    private final Path image;
    private final Path device;
    private final long size;

    private LoopDisk(Path dir, Path image, Path device, long size) {
        this.dir = dir;
        this.image = image;
        this.device = device;
        this.size = size;
    }

    /**
     * Skips the calling test class with the reason when the machine cannot run it (not root, tools
     * missing), or fails it when CI=true: CI must run every test.
     */
    static void assumeUsable(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (loop devices and mount)");
        }
        for (String tool : tools) {
            if (which(tool) == null) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            String reason = "needs " + String.join(", ", missing) + " (scripts/test.sh installs the packages as root)";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + reason);
            }
            Assumptions.assumeTrue(false, reason);
        }
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Path.of(d, tool);
            }
        }
        return null;
    }

    /**
     * @param mib           the device's size in MiB
     * @param fsLeavesArea  true: the file system leaves the last MiB free (as documented); false: it fills
     *                      the whole device (the mistake the agent must refuse)
     * @return the attached, formatted disk
     */
    static LoopDisk create(int mib, boolean fsLeavesArea) throws IOException {
        return create(mib, "ext4", fsLeavesArea);
    }

    /**
     * @param mib          the device's size in MiB
     * @param fsType       ext4 or xfs
     * @param fsLeavesArea true: the file system leaves the last MiB free; false: it fills the whole device
     * @return the attached, formatted disk
     */
    static LoopDisk create(int mib, String fsType, boolean fsLeavesArea) throws IOException {
        Path dir = Files.createTempDirectory("vigil-disk-test-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path image = dir.resolve("disk.img");
        long size = (long) mib << 20;
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size); // sparse
        }
        Result attach = run("losetup", "--find", "--show", image.toString());
        if (attach.exit() != 0) {
            deleteTree(dir);
            throw new IOException("losetup failed: " + attach.output());
        }
        LoopDisk disk = new LoopDisk(dir, image, Path.of(attach.output().strip()), size);
        try {
            long blocks = fsLeavesArea ? size / 4096 - 256 : size / 4096;
            if (fsType.equals("xfs")) {
                disk.check(run("mkfs.xfs", "-q", "-f", "-d", "size=" + blocks * 4096, disk.device.toString()));
            } else {
                disk.check(run("mkfs." + fsType, "-q", "-F", "-b", "4096", disk.device.toString(),
                        Long.toString(blocks)));
            }
        } catch (RuntimeException | Error e) {
            disk.close();
            throw e;
        }
        return disk;
    }

    Path device() {
        return device;
    }

    /** @return a directory of its own, removed with the disk; readable by everyone */
    Path dir() {
        return dir;
    }

    /** @return where the reservation record is */
    long recordOffset() {
        return Reservation.areaOffset(size);
    }

    /** Zeros the reservation record, as on a disk never used by Vigil. */
    void clearReservation() throws IOException {
        BlockDevice.write(device, recordOffset(), new byte[BlockDevice.BLOCK]);
    }

    /** @return what the reservation record holds now */
    ReservationRecord.Content reservation() throws IOException {
        return ReservationRecord.decode(BlockDevice.read(device, recordOffset(), BlockDevice.BLOCK));
    }

    /** @return where a file system on this device is mounted now */
    List<String> mountPoints() throws IOException {
        return MountTable.current().of(BlockDevice.number(device)).stream().map(MountTable.Mount::mountPoint).toList();
    }

    /** Unmounts every mount of this device, last mounted first. */
    void unmountAll() throws IOException {
        List<String> points = new ArrayList<>(mountPoints());
        for (int i = points.size() - 1; i >= 0; i--) {
            run("umount", points.get(i));
        }
    }

    /** Runs a command, failing the test when it fails. @return its output */
    String check(Result r) {
        if (r.exit() != 0) {
            throw new AssertionError("command failed (exit " + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    @Override
    public void close() {
        try {
            unmountAll();
        } catch (IOException | RuntimeException e) {
            // go on: the loop device and files must still go
        }
        run("losetup", "-d", device.toString());
        deleteTree(dir);
    }

    /** Output and exit status of a command. @param exit the status (-1 at the time limit) @param output stdout and stderr */
    record Result(int exit, String output) {
    }

    /** Runs a command (at most 60 s), standard error merged into the output. */
    static Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a still-mounted directory: reported by the test that left it
                }
            });
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
