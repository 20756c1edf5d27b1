package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.resource.disk.internal.TwoNodes.Node;

/**
 * The disk agent's release action on a real loop-mounted ext4: when the node process (a child JVM here) dies by
 * kill -9, the lifeline kills the program holding the mount and the guard unmounts it, well before the
 * reservation lapses; a normal stop unmounts by itself and withdraws the guard, which releases nothing.
 */
@Timeout(120)
@ExtendWith(ClassDisk.class)
class DiskReleaseGuardTest {

    /** The child's reservation-timeout is 6 s: the unmount must come well before another node may mount. */
    private static final Duration UNMOUNTED_WITHIN = Duration.ofSeconds(5);

    @ClassDisk.Shared
    private static LoopDisk disk;

    @TempDir
    Path stateDir;

    private final List<Long> pids = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        disk.unmountAll();
    }

    @Test
    void kill9OfTheNodeProcessUnmountsTheDiskOnceItsHoldersAreKilled() throws Exception {
        Path mnt = disk.dir().resolve("mnt-death");
        Path state = stateDir.resolve("node1");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = stateDir.resolve("child.out");
        Process jvm = new ProcessBuilder(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-cp", cp,
                DiskGuardChild.class.getName(), disk.device().toString(), mnt.toString(), state.toString())
                .redirectOutput(out.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        pids.add(jvm.pid());
        try {
            assertThat(await(Duration.ofSeconds(60), () -> !jvm.isAlive() || read(out).contains("MOUNTED ")))
                    .as("the child mounted").isTrue();
            String printed = read(out);
            assertThat(printed).as("child JVM output").contains("MOUNTED ");
            long holder = Long.parseLong(printed.substring(printed.indexOf("MOUNTED ") + 8).strip());
            pids.add(holder);
            assertThat(disk.mountPoints()).as("mounted by the child").hasSize(1);

            ProcessHandle.of(jvm.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();

            assertThat(await(UNMOUNTED_WITHIN, () -> mountPoints().isEmpty()))
                    .as("%s unmounted after the node process was killed", disk.device()).isTrue();
            System.out.printf("unmounted %d ms after the child JVM was reaped%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(isGone(holder)).as("the program holding the mount (killed by the lifeline)").isTrue();
            Path log = state.resolve("release-" + DiskHandler.RELEASE + ".log");
            assertThat(await(Duration.ofSeconds(5), () -> read(log).contains("release ended"))).isTrue();
            assertThat(read(log)).contains("the node process is gone").contains("release ended, exit 0");
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void startDeclaresTheUnmountAndAStopWithdrawsItReleasingNothing() throws Exception {
        Node node = new Node("node1", disk, stateDir, Map.of("stop-grace", "1s"));
        try {
            assertThat(node.start()).matches(OperationResult::isOk, "start");
            List<List<String>> guards = releaseGuards();
            assertThat(guards).as("release guards after start").hasSize(1);
            assertThat(guards.get(0)).as("the unmount of the mount point")
                    .contains(node.mountPoint.toRealPath().toString()).contains(DiskHandler.UNMOUNT_ON_DEATH);

            assertThat(stopPastForeignNamespaces(node)).matches(OperationResult::isOk, "stop");
            assertThat(await(Duration.ofSeconds(5), () -> releaseGuards().isEmpty())).as("the guard ends at stop").isTrue();
            assertThat(disk.mountPoints()).isEmpty();
            assertThat(stateDir.resolve("node1/release-" + DiskHandler.RELEASE + ".log")).satisfiesAnyOf(
                    p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        } finally {
            node.close();
        }
    }

    /**
     * Stops the node, again (a few times, bounded) while the stop fails only because a short-lived process of
     * another test on this machine ({@code ip netns exec} makes a mount namespace) holds a copy of the mount.
     */
    private static OperationResult stopPastForeignNamespaces(Node node) throws InterruptedException {
        OperationResult r = node.stop();
        for (int i = 0; i < 10 && !r.isOk() && r.message().contains("in the mount namespace of pid"); i++) {
            Thread.sleep(300);
            r = node.stop();
        }
        return r;
    }

    private static List<String> mountPoints() {
        try {
            return disk.mountPoints();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the actions of the release guards this JVM started (/bin/sh -c SCRIPT vigil-guard MARKER T ARGV...) */
    private static List<List<String>> releaseGuards() {
        List<List<String>> found = new ArrayList<>();
        ProcessHandle.current().children().forEach(h -> {
            String[] argv = read(Path.of("/proc", Long.toString(h.pid()), "cmdline")).split("\0");
            if (argv.length > 6 && argv[3].equals("vigil-guard")) {
                found.add(List.of(argv).subList(6, argv.length));
            }
        });
        return found;
    }

    private static boolean isGone(long pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat"));
        int paren = stat.lastIndexOf(')');
        return paren < 0 || "ZX".indexOf(stat.charAt(paren + 2)) >= 0;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
