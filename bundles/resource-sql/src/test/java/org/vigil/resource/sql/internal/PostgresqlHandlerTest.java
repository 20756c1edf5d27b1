package org.vigil.resource.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
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

/** What an admin relies on beyond the contract, against a real PostgreSQL. */
class PostgresqlHandlerTest {

    private static final PostgresqlResourceType TYPE = new PostgresqlResourceType();

    private Path base;
    private Path data;
    private Path passwordFile;
    private int port;
    private TestResourceContext context;

    @BeforeEach
    void server() throws IOException {
        SqlTestSupport.assume(SqlConfig.Kind.POSTGRESQL);
        base = SqlTestSupport.base();
        data = base.resolve("pgdata");
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
        return SqlTestSupport.parameters(SqlConfig.Kind.POSTGRESQL, data, port, passwordFile, base.resolve("socket"));
    }

    private static OperationResult start(ResourceHandler h) {
        return h.start(TestResourceContext.op(TYPE.describe().startTimeout()));
    }

    private static OperationResult monitor(ResourceHandler h) {
        return h.monitor(TestResourceContext.op(TYPE.describe().monitorTimeout()));
    }

    @Test
    void itListensOnTheGivenAddressOnlyRunsAsTheDataDirectorysOwnerAndPutsItsSocketWhereSaid() throws Exception {
        SqlTestSupport.initPostgres(data);
        OperationResult started = start(handler(parameters()));
        assertThat(started).matches(OperationResult::isOk, "start is OK: " + started.message());

        try (Connection c = SqlTestSupport.connect(SqlConfig.Kind.POSTGRESQL, "127.0.0.1", port)) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThat(accepts("127.0.0.2", port)).as("another loopback address is not served").isFalse();
        assertThat(base.resolve("socket").resolve(".s.PGSQL." + port)).exists();

        SupervisedProcess server = context.processes().find(SqlHandler.MAIN).orElseThrow();
        String status = Files.readString(Path.of("/proc", Long.toString(server.pid()), "status"));
        int postgresUid = (Integer) Files.getAttribute(data, "unix:uid");
        assertThat(status).containsPattern("(?m)^Uid:\\s+" + postgresUid + "\\s");
        // The supervised pid is the postmaster itself (setpriv and env exec in place): its cwd is the data directory.
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(server.pid()), "cwd")))
                .isEqualTo(data.toRealPath());
    }

    @Test
    void aPasswordFileOtherUsersCanReadOrThatIsNotTheNodeUsersIsRefusedNamingItAndTheRule() throws IOException {
        Files.createDirectories(data);
        SqlTestSupport.chown(data, "postgres");
        Files.setPosixFilePermissions(passwordFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        OperationResult readable = start(handler(parameters()));
        assertThat(readable.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(readable.message()).startsWith("monitor-password-file " + passwordFile).contains("mode 0644")
                .contains("0600 or 0400");

        Files.setPosixFilePermissions(passwordFile, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        SqlTestSupport.chown(passwordFile, "postgres");
        OperationResult foreign = start(handler());
        assertThat(foreign.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(foreign.message()).contains(passwordFile.toString()).contains("owned by root");
        assertThat(data.toFile().list()).as("nothing started").isEmpty();
    }

    @Test
    void aMissingOrUninitialisedDataDirectoryFailsTheStartSayingWhatToDo() throws IOException {
        OperationResult missing = start(handler(parameters()));
        assertThat(missing.code()).isEqualTo(ResultCode.FAILED);
        assertThat(missing.message()).startsWith("data-directory:").contains("is the shared disk mounted");

        Files.createDirectories(data);
        SqlTestSupport.chown(data, "postgres");
        OperationResult empty = start(handler());
        assertThat(empty.code()).isEqualTo(ResultCode.FAILED);
        assertThat(empty.message()).startsWith("data-directory:").contains("initdb -D " + data);
        assertThat(data.toFile().list()).as("nothing initialised behind the admin's back").isEmpty();
        assertThat(monitor(handler()).code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void aRunningServerThatRefusesTheQueryIsFailedAndAKilledOneIsFailedToo() throws Exception {
        SqlTestSupport.initPostgres(data);
        assertThat(start(handler(parameters()))).matches(OperationResult::isOk, "start is OK");
        assertThat(monitor(handler()).code()).isEqualTo(ResultCode.OK);

        Files.writeString(passwordFile, "not-the-password\n");
        OperationResult refused = monitor(handler());
        assertThat(refused.code()).isEqualTo(ResultCode.FAILED);
        assertThat(refused.message()).contains("monitor-user").contains("refused");
        Files.writeString(passwordFile, SqlTestSupport.PASSWORD + "\n");
        assertThat(monitor(handler()).code()).isEqualTo(ResultCode.OK);

        SupervisedProcess server = context.processes().find(SqlHandler.MAIN).orElseThrow();
        server.signal("KILL");
        assertThat(server.awaitExit(Duration.ofSeconds(10))).isTrue();
        OperationResult dead = monitor(handler());
        assertThat(dead.code()).isEqualTo(ResultCode.FAILED);
        assertThat(dead.message()).contains("exited unexpectedly");
    }

    @Test
    void wrongCredentialsFailTheStartAtOnceAndLeaveNothingRunning() throws Exception {
        SqlTestSupport.initPostgres(data);
        Files.writeString(passwordFile, "not-the-password\n");
        long t0 = System.nanoTime();
        OperationResult r = start(handler(parameters()));
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("monitor-user/monitor-password-file:");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
        assertThat(context.processes().find(SqlHandler.MAIN).map(SupervisedProcess::isAlive).orElse(false)).isFalse();
        assertThat(accepts("127.0.0.1", port)).isFalse();
    }

    @Test
    void aServerThatIgnoresFastAndImmediateShutdownIsKilledBeforeTheStopTimeout() throws Exception {
        SqlTestSupport.initPostgres(data);
        assertThat(start(handler(parameters()))).matches(OperationResult::isOk, "start is OK");
        SupervisedProcess server = context.processes().find(SqlHandler.MAIN).orElseThrow();
        // A stopped postmaster cannot act on INT or QUIT; only the KILL at the end ends it.
        new ProcessBuilder(List.of("kill", "-s", "STOP", Long.toString(server.pid()))).start().waitFor();
        OperationResult stopped = handler().stop(TestResourceContext.op(Duration.ofSeconds(8)));
        assertThat(stopped).matches(OperationResult::isOk, "stop is OK: " + stopped.message());
        assertThat(stopped.message()).contains("killed");
        assertThat(server.isAlive()).isFalse();
        assertThat(monitor(handler()).code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void aStalePostmasterPidFromACrashedNodeIsRemovedAndSaid() throws Exception {
        SqlTestSupport.initPostgres(data);
        // What a node that lost power leaves: a lock file naming a pid that, here, is some other live process.
        Path lock = data.resolve("postmaster.pid");
        Files.writeString(lock, "1\n" + data + "\n1700000000\n" + port + "\n");
        SqlTestSupport.chown(lock, "postgres");
        OperationResult r = start(handler(parameters()));
        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r.message());
        assertThat(r.message()).contains("stale");
    }

    @Test
    void aSocketPathTooLongForAUnixSocketFailsTheStartNamingSocketDirectory() throws IOException {
        SqlTestSupport.initPostgres(data);
        Map<String, String> p = new java.util.HashMap<>(parameters());
        p.remove("socket-directory"); // the default: in the state directory, whose path is long here
        context = new TestResourceContext(TYPE.describe(), "db", "node-a", p, base.resolve("x".repeat(100)));
        OperationResult r = start(handler());
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("socket-directory:").contains("107");
        assertThat(accepts("127.0.0.1", port)).isFalse();
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
