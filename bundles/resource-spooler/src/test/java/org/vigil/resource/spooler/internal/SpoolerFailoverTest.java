package org.vigil.resource.spooler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.TestResourceContext;

/**
 * Jobs survive a crash of the node that queued them: the spool directory is on a real ext4 file system on a
 * loop device; node A's cupsd queues jobs on a held queue and its whole process group is killed (-9); the
 * disk is unmounted and mounted again, as the other node's disk resource would; node B (its own state
 * directory, no job.cache) starts the spooler: the jobs are still queued and, released, print.
 */
class SpoolerFailoverTest {

    private static Path backend;

    private final ResourceType type = new SpoolerResourceType();

    private Path dir;
    private Path image;
    private String loop;
    private Path mount;
    private Path printed;
    private int port;
    private TestResourceContext nodeA;
    private TestResourceContext nodeB;

    @BeforeAll
    static void backend() throws IOException {
        CupsTestSupport.assumeCups("losetup", "mkfs.ext4", "mount", "umount");
        backend = CupsTestSupport.installBackend();
    }

    @AfterAll
    static void removeBackend() {
        CupsTestSupport.removeBackend(backend);
    }

    @BeforeEach
    void disk() throws IOException {
        dir = CupsTestSupport.openDirectory("vigil-spooler-failover-");
        image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64L << 20); // sparse
        }
        loop = CupsTestSupport.run("losetup", "--find", "--show", image.toString()).check().output().strip();
        CupsTestSupport.run("mkfs.ext4", "-q", "-F", loop).check();
        mount = Files.createDirectory(dir.resolve("mnt"));
        CupsTestSupport.run("mount", "-t", "ext4", loop, mount.toString()).check();
        Files.createDirectory(mount.resolve("cups"));
        printed = dir.resolve("printed.txt");
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void cleanUp() {
        for (TestResourceContext c : new TestResourceContext[] {nodeA, nodeB}) {
            if (c != null) {
                type.createHandler(c).stop(TestResourceContext.op(type.describe().stopTimeout()));
                c.close();
            }
        }
        if (mount != null) {
            CupsTestSupport.run("umount", mount.toString());
        }
        if (loop != null && loop.startsWith("/dev/loop")) {
            CupsTestSupport.run("losetup", "-d", loop);
        }
        AgentTestSupport.deleteTree(dir);
    }

    private TestResourceContext node(String name) {
        return new TestResourceContext(type.describe(), "printers", name, Map.of("spool-directory",
                mount.resolve("cups").toString(), "listen", "127.0.0.1:" + port), dir.resolve("state-" + name));
    }

    private String socket(TestResourceContext node) {
        return new SpoolLayout(mount.resolve("cups"), node.stateDirectory()).adminSocket().toString();
    }

    private List<String> queuedJobs() {
        return CupsTestSupport.run("lpstat", "-h", "127.0.0.1:" + port, "-o", "test").check().output().lines()
                .filter(l -> l.startsWith("test-")).map(l -> l.split("\\s+")[0]).toList();
    }

    @Test
    void jobsQueuedBeforeACrashAreStillQueuedOnTheOtherNodeAndPrintWhenReleased() throws Exception {
        nodeA = node("node1");
        OperationResult a = type.createHandler(nodeA).start(TestResourceContext.op(type.describe().startTimeout()));
        assertThat(a).matches(OperationResult::isOk, "start on node1: " + a.message());
        CupsTestSupport.run("lpadmin", "-h", socket(nodeA), "-p", "test", "-v", CupsTestSupport.BACKEND + ":" + printed,
                "-E").check();
        CupsTestSupport.run("cupsdisable", "-h", socket(nodeA), "test").check();
        Path one = Files.writeString(dir.resolve("one.txt"), "invoice 1\n");
        Path two = Files.writeString(dir.resolve("two.txt"), "invoice 2\n");
        CupsTestSupport.run("lp", "-h", "127.0.0.1:" + port, "-d", "test", one.toString()).check();
        CupsTestSupport.run("lp", "-h", "127.0.0.1:" + port, "-d", "test", "-H", "hold", two.toString()).check();
        List<String> before = queuedJobs();
        assertThat(before).hasSize(2);

        // node1 crashes: its cupsd and everything in its process group die at once, nothing is shut down
        SupervisedProcess cupsdA = nodeA.processes().find(SpoolerHandler.MAIN).orElseThrow();
        cupsdA.signal("KILL");
        assertThat(cupsdA.awaitExit(Duration.ofSeconds(5))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> AgentTestSupport.processGroup(cupsdA.pid()).isEmpty());
        assertThat(type.createHandler(nodeA).monitor(TestResourceContext.op(type.describe().monitorTimeout())).code())
                .isEqualTo(ResultCode.FAILED);
        // the disk moves to node2
        CupsTestSupport.run("umount", mount.toString()).check();
        CupsTestSupport.run("mount", "-t", "ext4", loop, mount.toString()).check();

        nodeB = node("node2");
        OperationResult b = type.createHandler(nodeB).start(TestResourceContext.op(type.describe().startTimeout()));
        assertThat(b).matches(OperationResult::isOk, "start on node2: " + b.message());
        assertThat(nodeB.stateDirectory()).isNotEqualTo(nodeA.stateDirectory());
        assertThat(queuedJobs()).as("the same jobs, still queued on node2").isEqualTo(before);
        assertThat(CupsTestSupport.run("lpstat", "-h", "127.0.0.1:" + port, "-p", "test").output())
                .as("the queue is still held").contains("disabled");
        assertThat(printed).doesNotExist();

        CupsTestSupport.run("cupsenable", "-h", socket(nodeB), "test").check();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(printed)
                && Files.readString(printed).equals("invoice 1\n"));
        assertThat(queuedJobs()).as("the job held on node1 is still held on node2").containsExactly(before.get(1));
        CupsTestSupport.run("lp", "-h", socket(nodeB), "-i", before.get(1), "-H", "resume").check();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(printed)
                && Files.readString(printed).length() >= "invoice 1\ninvoice 2\n".length());
        assertThat(Files.readString(printed)).isEqualTo("invoice 1\ninvoice 2\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> queuedJobs().isEmpty());

        // and node2 takes new jobs, numbered after the old ones
        Path three = Files.writeString(dir.resolve("three.txt"), "invoice 3\n");
        String id = CupsTestSupport.run("lp", "-h", "127.0.0.1:" + port, "-d", "test", three.toString()).check()
                .output();
        assertThat(id).contains("request id is test-3");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(printed).endsWith("invoice 3\n"));
    }
}
