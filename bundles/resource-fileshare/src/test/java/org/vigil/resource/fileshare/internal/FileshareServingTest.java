package org.vigil.resource.fileshare.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.TestResourceContext;

/**
 * A real smbd serves the share on the configured address only: a real smbclient puts and gets a file with the
 * account made by pdbedit, a wrong password and an anonymous client are refused, and failures are reported
 * naming the parameter.
 */
class FileshareServingTest {

    private static SmbTestSupport.TestUser user;
    private static Path accounts;
    private static Path passdb;

    private final FileshareResourceType type = new FileshareResourceType();

    @TempDir
    Path stateDir;

    @TempDir
    Path client;

    private Path share;
    private int port;
    private TestResourceContext context;

    @BeforeAll
    static void account() throws IOException {
        SmbTestSupport.assumeSamba();
        user = SmbTestSupport.TestUser.create();
        accounts = SmbTestSupport.openDirectory("vigil-fileshare-accounts-");
        passdb = accounts.resolve("passdb.tdb");
        SmbTestSupport.addAccount(passdb, user);
    }

    @AfterAll
    static void removeAccount() {
        if (user != null) {
            user.close();
        }
        AgentTestSupport.deleteTree(accounts);
    }

    @BeforeEach
    void shareDirectory() throws IOException {
        share = SmbTestSupport.openDirectory("vigil-fileshare-serving-");
        user.own(share);
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void cleanUp() {
        if (context != null) {
            type.createHandler(context).stop(TestResourceContext.op(type.describe().stopTimeout()));
            context.close();
        }
        AgentTestSupport.deleteTree(share);
    }

    private Map<String, String> params(String... more) {
        Map<String, String> p = new HashMap<>(Map.of("path", share.toString(), "listen", "127.0.0.1:" + port,
                "share", "office", "passdb", passdb.toString()));
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    private ResourceHandler handler(Map<String, String> params) {
        if (context == null) {
            context = new TestResourceContext(type.describe(), "files", "node1", params, stateDir);
        }
        return type.createHandler(context);
    }

    private ResourceHandler handler() {
        return handler(params());
    }

    private OperationResult start(ResourceHandler h) {
        return h.start(TestResourceContext.op(type.describe().startTimeout()));
    }

    private OperationResult monitor() {
        return handler().monitor(TestResourceContext.op(type.describe().monitorTimeout()));
    }

    private SmbTestSupport.Result smbclient(String credentials, String commands) {
        return SmbTestSupport.smbclient("127.0.0.1", port, "office", credentials, client, commands);
    }

    @Test
    void smbclientPutsAndGetsTheSameBytesWithTheAccountFromPdbedit() throws Exception {
        assertThat(start(handler(params("valid-users", user.name)))).matches(OperationResult::isOk, "start");
        byte[] bytes = new byte[300_000];
        new Random(42).nextBytes(bytes);
        Files.write(client.resolve("in.bin"), bytes);

        String credentials = user.name + "%" + user.password;
        SmbTestSupport.Result put = smbclient(credentials, "put in.bin report.bin");
        assertThat(put.ok()).as("smbclient put: %s", put.output()).isTrue();
        assertThat(Files.readAllBytes(share.resolve("report.bin"))).as("the file in the shared directory")
                .isEqualTo(bytes);
        assertThat(Files.getAttribute(share.resolve("report.bin"), "unix:uid")).as("owned by the client's user")
                .isEqualTo(user.uid());
        SmbTestSupport.Result get = smbclient(credentials, "get report.bin out.bin");
        assertThat(get.ok()).as("smbclient get: %s", get.output()).isTrue();
        assertThat(Files.readAllBytes(client.resolve("out.bin"))).isEqualTo(bytes);

        SmbTestSupport.Result wrong = smbclient(user.name + "%not-the-password", "ls");
        assertThat(wrong.ok()).isFalse();
        assertThat(wrong.output()).contains("NT_STATUS_LOGON_FAILURE");
        SmbTestSupport.Result anonymous = smbclient(null, "ls");
        assertThat(anonymous.ok()).as("no guest access unless asked for: %s", anonymous.output()).isFalse();
        Files.writeString(share.resolve(".vigil-probe-node1"), "probe");
        assertThat(smbclient(credentials, "ls").output()).contains("report.bin").doesNotContain(".vigil-probe");

        // smbd (all its processes, one process group) listens on exactly 127.0.0.1:port, nowhere else
        SupervisedProcess smbd = context.processes().find(FileshareHandler.MAIN).orElseThrow();
        List<Long> group = AgentTestSupport.processGroup(smbd.pid());
        assertThat(AgentTestSupport.listeningSockets(group)).containsExactly("127.0.0.1:" + port);
        assertThat(SmbProbe.inUse(new InetSocketAddress("127.0.0.2", port))).isFalse();
        assertThat(monitor().code()).isEqualTo(ResultCode.OK);
        String conf = Files.readString(stateDir.resolve("samba/smb.conf"));
        assertThat(conf).contains("interfaces = 127.0.0.1\n").contains("bind interfaces only = yes")
                .contains("smb ports = " + port + "\n").contains("passdb backend = tdbsam:" + passdb);
    }

    @Test
    void anIpv6AddressIsServedToo() throws Exception {
        assertThat(start(handler(params("listen", "[::1]:" + port)))).matches(OperationResult::isOk, "start");
        Files.writeString(share.resolve("v6.txt"), "over IPv6\n");
        SmbTestSupport.Result get = SmbTestSupport.runIn(client, null, "smbclient", "-p", Integer.toString(port),
                "-I", "::1", "//localhost/office", "-U", user.name + "%" + user.password, "-c", "get v6.txt v6.txt");
        assertThat(get.ok()).as("smbclient over ::1: %s", get.output()).isTrue();
        assertThat(Files.readString(client.resolve("v6.txt"))).isEqualTo("over IPv6\n");
        SupervisedProcess smbd = context.processes().find(FileshareHandler.MAIN).orElseThrow();
        assertThat(AgentTestSupport.listeningSockets(AgentTestSupport.processGroup(smbd.pid())))
                .containsExactly("[00000000000000000000000001000000]:" + port);
        assertThat(monitor().code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void aUserNotInValidUsersIsRefused() throws Exception {
        assertThat(start(handler(params("valid-users", "someone-else")))).matches(OperationResult::isOk, "start");
        SmbTestSupport.Result r = smbclient(user.name + "%" + user.password, "ls");
        assertThat(r.ok()).as("smbclient: %s", r.output()).isFalse();
        assertThat(r.output()).contains("NT_STATUS_ACCESS_DENIED");
    }

    @Test
    void aReadOnlyShareRefusesWrites() throws Exception {
        assertThat(start(handler(params("read-only", "true")))).matches(OperationResult::isOk, "start");
        Files.writeString(client.resolve("in.txt"), "x");
        SmbTestSupport.Result r = smbclient(user.name + "%" + user.password, "put in.txt in.txt");
        assertThat(r.output()).contains("NT_STATUS_ACCESS_DENIED");
        assertThat(share.resolve("in.txt")).doesNotExist();
    }

    @Test
    void guestAccessWorksOnlyWhenAskedFor() throws Exception {
        Files.writeString(share.resolve("notice.txt"), "for everyone\n");
        assertThat(start(handler(Map.of("path", share.toString(), "listen", "127.0.0.1:" + port, "share", "office",
                "guest-ok", "true", "read-only", "true")))).matches(OperationResult::isOk, "start");
        SmbTestSupport.Result r = smbclient(null, "get notice.txt notice.txt");
        assertThat(r.ok()).as("anonymous smbclient with guest-ok=true: %s", r.output()).isTrue();
        assertThat(Files.readString(client.resolve("notice.txt"))).isEqualTo("for everyone\n");
    }

    @Test
    void aMissingPathFailsTheStartNamingTheParameter() {
        AgentTestSupport.deleteTree(share);
        OperationResult r = start(handler());
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("path: " + share + " is not a directory");
        assertThat(context.processes().find(FileshareHandler.MAIN)).isEmpty();
    }

    @Test
    void aMissingAccountDatabaseFailsTheStartNamingTheParameter() {
        OperationResult r = start(handler(params("passdb", accounts.resolve("nothing.tdb").toString())));
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("passdb: " + accounts.resolve("nothing.tdb") + " does not exist");
    }

    @Test
    void anAccountDatabaseOtherUsersCanReadIsRefusedNamingItAndTheRule() throws IOException {
        Path copy = accounts.resolve("readable.tdb");
        Files.copy(passdb, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try {
            Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            OperationResult r = start(handler(params("passdb", copy.toString())));
            assertThat(r.code()).isEqualTo(ResultCode.NOT_INSTALLED);
            assertThat(r.message()).startsWith("passdb " + copy).contains("mode 0644").contains("0600 or 0400");
            assertThat(context.processes().find(FileshareHandler.MAIN)).isEmpty();
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void somethingElseAnsweringOnTheAddressFailsTheStartNamingTheListenParameter() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            OperationResult r = start(handler());
            assertThat(r.code()).isEqualTo(ResultCode.FAILED);
            assertThat(r.message()).startsWith("listen: 127.0.0.1:" + port + " is already in use");
            assertThat(context.processes().find(FileshareHandler.MAIN)).as("smbd not even started").isEmpty();
        }
    }

    @Test
    void anAddressNotOnThisNodeFailsTheStartNamingTheListenParameter() {
        OperationResult r = start(handler(params("listen", "192.0.2.254:" + port)));
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("listen: 192.0.2.254 is not an address of this node");
    }

    @Test
    void aMissingSmbdIsNotInstalledNamingTheParameter() {
        OperationResult r = start(handler(params("smbd", "/usr/sbin/vigil-no-such-smbd")));
        assertThat(r.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(r.message()).startsWith("smbd: ");
    }

    @Test
    void anSmbdKilledBehindVigilsBackIsAFailedMonitorAndStartsAgain() throws Exception {
        assertThat(start(handler())).matches(OperationResult::isOk, "start");
        SupervisedProcess smbd = context.processes().find(FileshareHandler.MAIN).orElseThrow();
        smbd.signal("KILL");
        assertThat(smbd.awaitExit(Duration.ofSeconds(5))).isTrue();

        OperationResult m = monitor();
        assertThat(m.code()).isEqualTo(ResultCode.FAILED);
        assertThat(m.message()).contains("exited unexpectedly");
        assertThat(start(handler())).matches(OperationResult::isOk, "a new start after the failure");
        assertThat(smbclient(user.name + "%" + user.password, "ls").ok()).isTrue();
    }

    @Test
    void anSmbdThatRunsButDoesNotAnswerIsAFailedMonitor() throws Exception {
        assertThat(start(handler())).matches(OperationResult::isOk, "start");
        SupervisedProcess smbd = context.processes().find(FileshareHandler.MAIN).orElseThrow();
        // the parent stops accepting: the kernel still completes the TCP handshake, nothing answers SMB
        SmbTestSupport.check(SmbTestSupport.run(null, "kill", "-STOP", Long.toString(smbd.pid())));
        try {
            OperationResult m = monitor();
            assertThat(m.code()).isEqualTo(ResultCode.FAILED);
            assertThat(m.message()).startsWith("SMB negotiate with 127.0.0.1:" + port);
        } finally {
            SmbTestSupport.run(null, "kill", "-CONT", Long.toString(smbd.pid()));
        }
        assertThat(monitor().code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void anSmbdThatIgnoresTermIsKilledNearTheStopTimeout() throws Exception {
        assertThat(start(handler())).matches(OperationResult::isOk, "start");
        SupervisedProcess smbd = context.processes().find(FileshareHandler.MAIN).orElseThrow();
        List<Long> group = AgentTestSupport.processGroup(smbd.pid());
        // a stopped process keeps TERM pending: only the KILL ends it
        SmbTestSupport.check(SmbTestSupport.run(null, "kill", "-STOP", Long.toString(smbd.pid())));
        long t0 = System.nanoTime();
        OperationResult r = handler().stop(TestResourceContext.op(Duration.ofSeconds(3)));
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r).matches(OperationResult::isOk, "stop is OK");
        assertThat(r.message()).contains("killed");
        assertThat(took).as("ms the stop took").isBetween(1500L, 3500L);
        assertThat(smbd.isAlive()).isFalse();
        Thread.sleep(500);
        assertThat(group.stream().filter(SmbTestSupport::running)).as("smbd's processes left (zombies aside)")
                .isEmpty();
        assertThat(monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void aShareDirectoryThatDisappearsIsAFailedMonitor() {
        assertThat(start(handler())).matches(OperationResult::isOk, "start");
        AgentTestSupport.deleteTree(share);
        OperationResult m = monitor();
        assertThat(m.code()).isEqualTo(ResultCode.FAILED);
        assertThat(m.message()).startsWith("path: ");
    }
}
