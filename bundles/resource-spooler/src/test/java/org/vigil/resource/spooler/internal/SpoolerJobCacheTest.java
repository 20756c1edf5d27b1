package org.vigil.resource.spooler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.TestResourceContext;

/**
 * A node's job.cache never hides the jobs on the shared disk. cupsd trusts its job.cache when the file is newer
 * than the spool directory, and the two times come from two nodes' clocks: node2 ran the spooler last a while
 * ago, node1 queued a job since, node2's clock is a minute ahead of node1's. The job must be there on node2.
 */
class SpoolerJobCacheTest {

    private static Path backend;

    private final ResourceType type = new SpoolerResourceType();

    private Path dir;
    private Path spool;
    private Path printed;
    private int port;
    private TestResourceContext node1;
    private TestResourceContext node2;

    @BeforeAll
    static void backend() throws IOException {
        CupsTestSupport.assumeCups();
        backend = CupsTestSupport.installBackend();
    }

    @AfterAll
    static void removeBackend() {
        CupsTestSupport.removeBackend(backend);
    }

    @BeforeEach
    void directories() throws IOException {
        dir = CupsTestSupport.openDirectory("vigil-spooler-cache-");
        spool = Files.createDirectory(dir.resolve("shared"));
        printed = dir.resolve("printed.txt");
        port = AgentTestSupport.freePort();
        node1 = context("node1");
        node2 = context("node2");
    }

    @AfterEach
    void cleanUp() {
        for (TestResourceContext c : new TestResourceContext[] {node1, node2}) {
            type.createHandler(c).stop(TestResourceContext.op(type.describe().stopTimeout()));
            c.close();
        }
        AgentTestSupport.deleteTree(dir);
    }

    private TestResourceContext context(String node) {
        return new TestResourceContext(type.describe(), "printers", node, Map.of("spool-directory", spool.toString(),
                "listen", "127.0.0.1:" + port), dir.resolve("state-" + node));
    }

    private void start(TestResourceContext node) {
        OperationResult r = type.createHandler(node).start(TestResourceContext.op(type.describe().startTimeout()));
        assertThat(r).matches(OperationResult::isOk, "start on " + node.nodeName() + ": " + r.message());
    }

    private void stop(TestResourceContext node) {
        assertThat(type.createHandler(node).stop(TestResourceContext.op(type.describe().stopTimeout())))
                .matches(OperationResult::isOk, "stop on " + node.nodeName());
    }

    private String socket(TestResourceContext node) {
        return new SpoolLayout(spool, node.stateDirectory()).adminSocket().toString();
    }

    @Test
    void aJobQueuedOnTheOtherNodeIsThereEvenWhenThisNodesJobCacheLooksNewer() throws Exception {
        start(node2);
        CupsTestSupport.run("lpadmin", "-h", socket(node2), "-p", "test", "-v", CupsTestSupport.BACKEND + ":" + printed,
                "-E").check();
        CupsTestSupport.run("cupsdisable", "-h", socket(node2), "test").check();
        stop(node2);
        Path cache2 = new SpoolLayout(spool, node2.stateDirectory()).jobCache();
        assertThat(cache2).as("node2's job.cache, written at its stop").exists();

        start(node1);
        Path doc = Files.writeString(dir.resolve("doc.txt"), "queued on node1\n");
        String out = CupsTestSupport.run("lp", "-h", "127.0.0.1:" + port, "-d", "test", doc.toString()).check()
                .output();
        assertThat(out).contains("request id is test-1");
        stop(node1);
        // node2's clock runs a minute ahead of node1's: its old cache looks newer than node1's job files
        Files.setLastModifiedTime(cache2, FileTime.fromMillis(System.currentTimeMillis() + 60_000));

        start(node2);
        assertThat(CupsTestSupport.run("lpstat", "-h", "127.0.0.1:" + port, "-o", "test").output())
                .as("jobs on node2").contains("test-1");
        CupsTestSupport.run("cupsenable", "-h", socket(node2), "test").check();
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(printed)
                && Files.readString(printed).equals("queued on node1\n"));
    }
}
