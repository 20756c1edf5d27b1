package org.vigil.resource.webroot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.TestResourceContext;

/** A real nginx serves the web root on the configured address only, and its failures are reported. */
class WebrootServingTest {

    private final WebrootResourceType type = new WebrootResourceType();

    @TempDir
    Path stateDir;

    private Path root;
    private int port;
    private TestResourceContext context;

    @BeforeEach
    void webRoot() throws IOException {
        WebTestSupport.assumeNginx();
        root = WebTestSupport.webRoot();
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void cleanUp() {
        if (context != null) {
            type.createHandler(context).stop(TestResourceContext.op(type.describe().stopTimeout()));
            context.close();
        }
        AgentTestSupport.deleteTree(root);
    }

    private ResourceHandler handler(Map<String, String> params) {
        if (context == null) {
            context = new TestResourceContext(type.describe(), "web", "node1", params, stateDir);
        }
        return type.createHandler(context);
    }

    private ResourceHandler handler() {
        return handler(Map.of("root", root.toString(), "listen", "127.0.0.1:" + port));
    }

    private OperationResult start(ResourceHandler h) {
        return h.start(TestResourceContext.op(type.describe().startTimeout()));
    }

    @Test
    void aPageWrittenToTheRootIsServedOnTheListenAddressOnly() throws Exception {
        Files.writeString(root.resolve("index.html"), "<h1>served by node1</h1>\n");
        assertThat(start(handler())).matches(OperationResult::isOk, "start");

        var index = WebTestSupport.get("http://127.0.0.1:" + port + "/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).isEqualTo("<h1>served by node1</h1>\n");
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(
                "text/html"));
        Files.writeString(root.resolve("later.txt"), "written after the start\n");
        assertThat(WebTestSupport.get("http://127.0.0.1:" + port + "/later.txt").body())
                .isEqualTo("written after the start\n");
        Files.writeString(root.resolve(".vigil-probe-node1"), "probe");
        assertThat(WebTestSupport.get("http://127.0.0.1:" + port + "/.vigil-probe-node1").statusCode()).isEqualTo(404);

        // nginx (master and worker, one process group) listens on exactly 127.0.0.1:port, nowhere else
        SupervisedProcess nginx = context.processes().find(WebrootHandler.MAIN).orElseThrow();
        List<Long> group = AgentTestSupport.processGroup(nginx.pid());
        assertThat(group).hasSizeGreaterThanOrEqualTo(2);
        assertThat(AgentTestSupport.listeningSockets(group)).containsExactly("127.0.0.1:" + port);
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.2", port), 1000);
            }
        }).isInstanceOf(ConnectException.class);
        assertThat(handler().monitor(TestResourceContext.op(type.describe().monitorTimeout())).code())
                .isEqualTo(ResultCode.OK);
    }

    @Test
    void aMissingRootFailsTheStartNamingTheParameter() throws IOException {
        AgentTestSupport.deleteTree(root);
        OperationResult r = start(handler());
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("root: " + root + " is not a directory");
    }

    @Test
    void aPortInUseFailsTheStartNamingTheListenParameter() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            OperationResult r = start(handler());
            assertThat(r.code()).isEqualTo(ResultCode.FAILED);
            assertThat(r.message()).startsWith("listen: 127.0.0.1:" + port + " is already in use");
            assertThat(context.processes().find(WebrootHandler.MAIN)).as("nginx not even started").isEmpty();
        }
    }

    @Test
    void aMissingNginxIsNotInstalledNamingTheParameter() {
        OperationResult r = start(handler(Map.of("root", root.toString(), "listen", "127.0.0.1:" + port, "nginx",
                "/usr/sbin/vigil-no-such-nginx")));
        assertThat(r.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(r.message()).startsWith("nginx: ");
    }

    @Test
    void anNginxKilledBehindVigilsBackIsAFailedMonitor() throws Exception {
        assertThat(start(handler())).matches(OperationResult::isOk, "start");
        SupervisedProcess nginx = context.processes().find(WebrootHandler.MAIN).orElseThrow();
        nginx.signal("KILL");
        assertThat(nginx.awaitExit(Duration.ofSeconds(5))).isTrue();

        OperationResult m = handler().monitor(TestResourceContext.op(type.describe().monitorTimeout()));
        assertThat(m.code()).isEqualTo(ResultCode.FAILED);
        assertThat(m.message()).contains("exited unexpectedly");
        assertThat(start(handler())).matches(OperationResult::isOk, "a new start after the failure");
        assertThat(WebTestSupport.get("http://127.0.0.1:" + port + "/").statusCode()).isLessThan(500);
    }

    @Test
    void aRootThatDisappearsIsAFailedMonitor() throws Exception {
        assertThat(start(handler())).matches(OperationResult::isOk, "start");
        AgentTestSupport.deleteTree(root);
        OperationResult m = handler().monitor(TestResourceContext.op(type.describe().monitorTimeout()));
        assertThat(m.code()).isEqualTo(ResultCode.FAILED);
        assertThat(m.message()).startsWith("root: ");
    }
}
