package org.vigil.resource.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.TestResourceContext;

/** What an admin relies on beyond the contract, against a real MariaDB. */
class MariadbHandlerTest {

    private static final MariadbResourceType TYPE = new MariadbResourceType();

    private Path base;
    private Path data;
    private Path passwordFile;
    private int port;
    private TestResourceContext context;

    @BeforeEach
    void server() throws IOException {
        SqlTestSupport.assume(SqlConfig.Kind.MARIADB);
        base = SqlTestSupport.base();
        data = base.resolve("mysql-data");
        passwordFile = SqlTestSupport.passwordFile(base);
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void cleanUp() {
        if (context != null) {
            handler().stop(TestResourceContext.op(Duration.ofSeconds(30)));
            context.close();
        }
        AgentTestSupport.deleteTree(base);
    }

    private ResourceHandler handler() {
        return TYPE.createHandler(context);
    }

    private ResourceHandler handler(Map<String, String> parameters) {
        context = new TestResourceContext(TYPE.describe(), "db", "node-a", parameters, base.resolve("state"));
        return handler();
    }

    private Map<String, String> parameters() {
        return SqlTestSupport.parameters(SqlConfig.Kind.MARIADB, data, port, passwordFile, base.resolve("socket"));
    }

    private static OperationResult start(ResourceHandler h) {
        return h.start(TestResourceContext.op(TYPE.describe().startTimeout()));
    }

    @Test
    void itListensOnTheGivenAddressOnlyAsMysqlWithItsSocketWhereSaid() throws Exception {
        SqlTestSupport.initMariadb(data);
        OperationResult started = start(handler(parameters()));
        assertThat(started).matches(OperationResult::isOk, "start is OK: " + started.message());
        assertThat(accepts("127.0.0.1", port)).isTrue();
        assertThat(accepts("127.0.0.2", port)).as("another loopback address is not served").isFalse();
        assertThat(base.resolve("socket/mysqld.sock")).exists();
        SupervisedProcess server = context.processes().find(SqlHandler.MAIN).orElseThrow();
        String status = Files.readString(Path.of("/proc", Long.toString(server.pid()), "status"));
        int mysqlUid = (Integer) Files.getAttribute(data, "unix:uid");
        assertThat(status).containsPattern("(?m)^Uid:\\s+" + mysqlUid + "\\s");
    }

    @Test
    void anUninitialisedDataDirectoryFailsTheStartSayingHowToInitialiseIt() throws IOException {
        Files.createDirectories(data);
        SqlTestSupport.chown(data, "mysql");
        OperationResult r = start(handler(parameters()));
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("data-directory:").contains("mariadb-install-db --user=mysql --datadir="
                + data);
        assertThat(data.toFile().list()).as("nothing initialised behind the admin's back").isEmpty();
    }

    @Test
    void aDataDirectoryNotOwnedByTheServersUserFailsTheStartNamingIt() throws IOException {
        SqlTestSupport.initMariadb(data);
        SqlTestSupport.chown(data, "root");
        OperationResult r = start(handler(parameters()));
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("data-directory:").contains("owned by root").contains("chown -R mysql:");
    }

    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
