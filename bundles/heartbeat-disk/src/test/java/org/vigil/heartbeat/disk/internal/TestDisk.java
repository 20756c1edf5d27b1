package org.vigil.heartbeat.disk.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real shared heartbeat disk for tests: a zeroed image attached as a loop device, reached through a
 * symbolic link of its own (like /dev/disk/by-id/...), so the test can pull the device (detach it) and put
 * it back (attach again, under whatever loop number is free, and move the link). {@link #close()} detaches
 * it and removes the image and its directory.
 */
final class TestDisk implements AutoCloseable {

    private final Path dir;
    private final Path image;
    private final Path link;
    private volatile Path loop;

    private TestDisk(Path dir, Path image, Path link) {
        this.dir = dir;
        this.image = image;
        this.link = link;
    }

    /** Skips the test without root or losetup, or fails it when CI=true (CI must run every test). */
    static void assumeUsable() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (loop devices)");
        }
        if (which("losetup") == null) {
            missing.add("losetup (util-linux)");
        }
        if (!missing.isEmpty()) {
            String reason = "needs " + String.join(", ", missing);
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
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Path.of(d, tool);
            }
        }
        return null;
    }

    /** @param mib size in MiB; @return an attached, zeroed loop device behind a link */
    static TestDisk create(int mib) throws IOException {
        Path dir = Files.createTempDirectory("vigil-hbdisk-" + ProcessHandle.current().pid() + "-");
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength((long) mib << 20); // sparse: reads as zeros
        }
        TestDisk d = new TestDisk(dir, image, dir.resolve("hb-disk"));
        try {
            d.attach();
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** @return the path the transport is configured with (a link to the loop device) */
    Path device() {
        return link;
    }

    /** @return the loop device itself */
    Path loop() {
        return loop;
    }

    /** @return the image file behind the device */
    Path image() {
        return image;
    }

    /** Attaches the image (again) and points the link at the new loop device. */
    void attach() throws IOException {
        Result r = run("losetup", "--find", "--show", image.toString());
        if (r.exit() != 0) {
            throw new IOException("losetup failed: " + r.output());
        }
        loop = Path.of(r.output().strip());
        Path tmp = dir.resolve("hb-disk.new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, loop);
        Files.move(tmp, link, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Pulls the device: detaches the loop device and removes the link. */
    void detach() throws IOException {
        Files.deleteIfExists(link);
        Path l = loop;
        if (l != null) {
            run("losetup", "-d", l.toString());
            loop = null;
        }
    }

    @Override
    public void close() {
        try {
            detach();
        } catch (IOException e) {
            // the files must still go
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // reported by the test that left it
                }
            });
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** Exit status and output of a command. @param exit status @param output stdout and stderr */
    record Result(int exit, String output) {
    }

    /** Runs a command for at most 60 s. */
    static Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
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
}
