package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;
import org.vigil.resource.disk.internal.TwoNodes.Node;

/**
 * A busy mount is released on stop: exactly the processes holding it are stopped (TERM, then KILL for
 * one that ignores TERM), a process outside it is not touched, and the unmount succeeds. When the node's
 * own process holds it, nothing is killed and the stop fails.
 */
@ExtendWith(ClassDisk.class)
class DiskStopTest {

    @ClassDisk.Shared
    private static LoopDisk disk;

    @TempDir
    Path stateDir;

    private Node node;
    private final List<Process> started = new ArrayList<>();
    private final List<ProcessHandle> orphans = new ArrayList<>();

    @BeforeEach
    void startDisk() throws IOException {
        node = new Node("node1", disk, stateDir, Map.of("stop-grace", "1s"));
        assertThat(node.start()).matches(OperationResult::isOk, "start");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : orphans) {
            p.destroyForcibly();
        }
        node.stop();
        node.close();
        disk.unmountAll();
    }

    @Test
    void stopKillsExactlyTheHoldersAndUnmounts() throws Exception {
        Path mnt = node.mountPoint;
        Files.writeString(mnt.resolve("data"), "x");
        Process cwdHolder = spawn(mnt.toFile(), "sleep", "300");
        Process fileHolder = spawn(new File("/"), "/bin/sh", "-c", "exec 3<\"$1\"; exec sleep 300", "holder",
                mnt.resolve("data").toString());
        // ignores TERM (the ignored disposition survives exec into sleep): needs KILL
        Process stubborn = spawn(mnt.toFile(), "/bin/sh", "-c", "trap '' TERM; exec sleep 300");
        Path outside = Files.createTempFile(disk.dir(), "outside", ".txt");
        Process control = spawn(new File("/"), "/bin/sh", "-c", "exec 3<\"$1\"; exec sleep 300", "control",
                outside.toString());
        // not a child of this JVM: its shell parent exits at once and leaves it to init
        Process parent = new ProcessBuilder("/bin/sh", "-c", "cd \"$1\" && exec sleep 300 >/dev/null 2>&1 &"
                + " echo $!", "orphaner", mnt.toString()).directory(new File("/")).start();
        String orphanPid = new String(parent.getInputStream().readAllBytes()).strip();
        assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();
        ProcessHandle orphan = ProcessHandle.of(Long.parseLong(orphanPid)).orElseThrow();
        orphans.add(orphan);
        awaitExec(cwdHolder, fileHolder, stubborn, control);
        awaitExec(orphan.pid());
        assertThat(Files.exists(Path.of("/proc/" + fileHolder.pid() + "/fd/3"))).isTrue();

        OperationResult stopped = node.stop(Duration.ofSeconds(60));

        assertThat(stopped).matches(OperationResult::isOk, "stop is OK: " + stopped);
        assertThat(cwdHolder.waitFor(5, TimeUnit.SECONDS)).as("cwd holder gone").isTrue();
        assertThat(fileHolder.waitFor(5, TimeUnit.SECONDS)).as("open-file holder gone").isTrue();
        assertThat(stubborn.waitFor(5, TimeUnit.SECONDS)).as("TERM-ignoring holder gone").isTrue();
        assertThat(cwdHolder.exitValue()).as("cwd holder ended by TERM").isEqualTo(128 + 15);
        assertThat(stubborn.exitValue()).as("stubborn holder ended by KILL").isEqualTo(128 + 9);
        assertThat(orphan.onExit().get(5, TimeUnit.SECONDS).isAlive()).as("holder that is no child of the JVM gone")
                .isFalse();
        assertThat(control.isAlive()).as("the process outside the mount is untouched").isTrue();
        assertThat(stopped.message()).contains(cwdHolder.pid() + " (sleep, working directory) by TERM")
                .contains(fileHolder.pid() + " (sleep, fd 3").contains(stubborn.pid() + " (sleep, working directory)"
                        + " by KILL")
                .contains(orphan.pid() + " (sleep, working directory) by TERM")
                .doesNotContain(" " + control.pid() + " ");
        assertThat(disk.mountPoints()).isEmpty();
        assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                v -> assertThat(v.record().held()).as("released").isFalse());
        assertThat(node.monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void whenTheNodesOwnProcessHoldsTheMountNothingIsKilledAndTheStopFails() throws Exception {
        Path file = node.mountPoint.resolve("held-by-the-jvm");
        try (FileChannel held = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            OperationResult stopped = node.stop(Duration.ofSeconds(20));
            assertThat(stopped.code()).as("a stop that cannot unmount is a failed stop").isEqualTo(ResultCode.FAILED);
            assertThat(stopped.message()).contains("cannot unmount")
                    .contains(ProcessHandle.current().pid() + " (").contains("this node's own process");
            assertThat(held.isOpen()).isTrue();
            assertThat(disk.mountPoints()).containsExactly(node.mountPoint.toString());
            assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                    v -> assertThat(v.record().held()).as("kept while still mounted").isTrue());
        }
        assertThat(node.stop()).matches(OperationResult::isOk, "stop once the file is closed");
        assertThat(disk.mountPoints()).isEmpty();
    }

    private Process spawn(File dir, String... argv) throws IOException {
        Process p = new ProcessBuilder(argv).directory(dir).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    /** Waits until every process has exec'd sleep (so what it holds is in place). */
    private static void awaitExec(Process... processes) throws Exception {
        for (Process p : processes) {
            awaitExec(p.pid());
        }
    }

    private static void awaitExec(long pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(Path.of("/proc/" + pid + "/comm")).strip().equals("sleep")) {
            assertThat(System.nanoTime() - deadline).as("pid %d exec'd sleep", pid).isNegative();
            Thread.sleep(20);
        }
    }
}
