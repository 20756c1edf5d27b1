package org.vigil.resource.fileshare.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
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

/**
 * The share and its account database on a real shared disk (an ext4 loop device): a file put through node A's
 * smbd, A crashes (its smbd's process group is SIGKILLed, as the lifeline does when A's node process dies), the
 * disk is mounted on node B's mount point, B's handler (its own state directory, its own smb.conf) starts, and
 * the same bytes come back through B with the same account.
 */
class FileshareFailoverTest {

    private final FileshareResourceType type = new FileshareResourceType();

    @TempDir
    Path stateA;

    @TempDir
    Path stateB;

    @TempDir
    Path client;

    private SmbTestSupport.TestUser user;
    private Path dir;
    private String device;
    private Path mountA;
    private Path mountB;
    private TestResourceContext contextA;
    private TestResourceContext contextB;

    @BeforeEach
    void sharedDisk() throws IOException {
        SmbTestSupport.assumeSamba("losetup", "mkfs.ext4", "mount", "umount");
        user = SmbTestSupport.TestUser.create();
        dir = SmbTestSupport.openDirectory("vigil-fileshare-disk-");
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(32L << 20); // sparse
        }
        device = SmbTestSupport.check(SmbTestSupport.run(null, "losetup", "--find", "--show", image.toString()))
                .strip();
        SmbTestSupport.check(SmbTestSupport.run(null, "mkfs.ext4", "-q", "-F", device));
        mountA = Files.createDirectories(dir.resolve("node-a"));
        mountB = Files.createDirectories(dir.resolve("node-b"));
        mount(mountA);
        // the admin's set-up, once, on the shared disk: the shared directory and the account database beside it
        Files.createDirectories(mountA.resolve("samba"));
        Files.createDirectories(mountA.resolve("office"));
        user.own(mountA.resolve("office"));
        SmbTestSupport.addAccount(mountA.resolve("samba/passdb.tdb"), user);
    }

    @AfterEach
    void cleanUp() {
        for (TestResourceContext c : new TestResourceContext[] {contextA, contextB}) {
            if (c != null) {
                type.createHandler(c).stop(TestResourceContext.op(type.describe().stopTimeout()));
                c.close();
            }
        }
        if (device != null) {
            for (Path m : new Path[] {mountB, mountA}) {
                SmbTestSupport.run(null, "umount", m.toString());
            }
            SmbTestSupport.run(null, "losetup", "-d", device);
        }
        AgentTestSupport.deleteTree(dir);
        if (user != null) {
            user.close();
        }
    }

    private void mount(Path at) {
        SmbTestSupport.check(SmbTestSupport.run(null, "mount", "-t", "ext4", device, at.toString()));
    }

    private static Map<String, String> params(Path mount, int port) {
        return Map.of("path", mount.resolve("office").toString(), "listen", "127.0.0.1:" + port, "share", "office",
                "passdb", mount.resolve("samba/passdb.tdb").toString());
    }

    @Test
    void aFilePutThroughNodeABeforeItsCrashIsReadThroughNodeBFromTheSameDisk() throws Exception {
        int port = AgentTestSupport.freePort();
        contextA = new TestResourceContext(type.describe(), "files", "node-a", params(mountA, port), stateA);
        ResourceHandler a = type.createHandler(contextA);
        assertThat(a.start(TestResourceContext.op(type.describe().startTimeout()))).matches(OperationResult::isOk,
                "node A starts");
        byte[] bytes = new byte[1 << 20];
        new Random(7).nextBytes(bytes);
        Files.write(client.resolve("in.bin"), bytes);
        String credentials = user.name + "%" + user.password;
        SmbTestSupport.Result put = SmbTestSupport.smbclient("127.0.0.1", port, "office", credentials, client,
                "put in.bin ledger.bin");
        assertThat(put.ok()).as("smbclient put through A: %s", put.output()).isTrue();

        // node A crashes: every process of its smbd dies at once (no clean shutdown)
        SupervisedProcess smbdA = contextA.processes().find(FileshareHandler.MAIN).orElseThrow();
        smbdA.signal("KILL");
        assertThat(smbdA.awaitExit(Duration.ofSeconds(5))).isTrue();
        assertThat(a.monitor(TestResourceContext.op(type.describe().monitorTimeout())).code())
                .isEqualTo(ResultCode.FAILED);
        awaitUnmounted(mountA);
        contextA.close();
        contextA = null;

        // node B takes the disk over and starts its own smbd on the same address
        mount(mountB);
        contextB = new TestResourceContext(type.describe(), "files", "node-b", params(mountB, port), stateB);
        ResourceHandler b = type.createHandler(contextB);
        assertThat(b.start(TestResourceContext.op(type.describe().startTimeout()))).matches(OperationResult::isOk,
                "node B starts");
        SmbTestSupport.Result get = SmbTestSupport.smbclient("127.0.0.1", port, "office", credentials, client,
                "get ledger.bin out.bin");
        assertThat(get.ok()).as("smbclient get through B: %s", get.output()).isTrue();
        assertThat(Files.readAllBytes(client.resolve("out.bin"))).as("the bytes put through A").isEqualTo(bytes);
        assertThat(Files.readString(stateB.resolve("samba/smb.conf"))).contains("path = " + mountB.resolve("office"))
                .doesNotContain(stateA.toString());
    }

    /** A's connection processes may take a moment to go after the KILL: the unmount succeeds once they have. */
    private static void awaitUnmounted(Path mount) throws InterruptedException {
        SmbTestSupport.Result r = null;
        for (int i = 0; i < 50; i++) {
            r = SmbTestSupport.run(null, "umount", mount.toString());
            if (r.ok()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("cannot unmount A's mount point after its crash: " + r.output());
    }
}
