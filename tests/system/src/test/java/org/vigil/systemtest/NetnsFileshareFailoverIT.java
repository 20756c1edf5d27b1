package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The file share fails over with its data, between two real nodes in network namespaces ({@link NetnsTopology},
 * {@link NetnsNodes}) sharing a real ext4 loop disk ({@link SharedLoopDisk}). The resource types disk, ip and
 * fileshare are installed at runtime ({@code feature:install}); group {@code office} = disk + virtual address +
 * file share (Samba smbd serving {@code /office} of the disk on the address, with the tdbsam account database
 * {@code /samba/passdb.tdb} of the same disk). The account was made as the README tells admins: a Unix user on
 * the machine (the nodes share it) and {@code pdbedit -b tdbsam:... -a}.
 *
 * <ol>
 * <li>The client ({@code smbclient} in its own namespace) puts a file through the virtual address; it is on the
 * shared disk, in node1's mount namespace.</li>
 * <li>The active node loses power (cables pulled, then its JVM and everything it started SIGKILLed); the other
 * node takes the disk over, then the address, then starts its smbd; the client gets the same bytes back from the
 * same address. Quorum is on ({@code cluster.nodes}, the ping tie-breaker aiming at the client, node1 the fixed
 * winner, no fence device): the survivor waits only for the crashed node's lease, and its disk agent is told
 * that node stopped (its lease lapsed), so it takes the reservation over without waiting out the reservation
 * lease again ({@code reservation-timeout=10s}, the default): the disk is mounted well before 10 s (before the stop
 * proofs it waited dead time + 10 s). With {@code -Dvigil.fileshare.trials=N} this is
 * repeated N times, alternating nodes (the crashed node is powered on and restarted between trials), and the
 * time from the power loss to the first successful SMB read is printed for bench/fileshare-failover.sh.</li>
 * <li>A planned switchover moves office to the other node: smbd stops there (TERM), the disk is unmounted, and
 * the client reads the same bytes through the new node.</li>
 * </ol>
 * All along, every ~50 ms, a watch samples which node has the address up and which has the disk mounted: never
 * both.
 */
@Steps
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsFileshareFailoverIT implements Steps.Diagnostics {

    /** The disk's reservation lease: the default, which the survivor no longer waits out after a proven stop. */
    static final Duration RESERVATION = Duration.ofSeconds(10);
    /** The disk must be mounted on the survivor within this of the power loss: well before {@link #RESERVATION}. */
    static final Duration DISK_TAKEOVER = Duration.ofSeconds(5);

    private static final String SHARE = "office";
    private static final String FILE = "ledger.bin";

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static SharedLoopDisk disk;
    private static NetnsNodes nodes;
    private static PlacementWatch watch;
    private static String user;
    private static String password;
    private static String vip;
    private static Path mount;
    private static Path clientDir;
    private static byte[] bytes;
    private static final Thread HOOK = new Thread(NetnsFileshareFailoverIT::tearDown, "netns-fileshare-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        requireTools();
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-fileshare"), 50);
            Path dir = lab.dir();
            net = lab.net();
            log("namespaces %s-{n1,n2,cl,sw}: public %s.0/24, private %s.0/24", net.prefix, net.pub, net.priv);

            // the admin's set-up: a Unix user every node knows (they share this machine's /etc/passwd), its
            // SMB account in a tdbsam file on the shared disk, the shared directory owned by it
            sweepTestUsers();
            user = "vigilfs" + ProcessHandle.current().pid();
            password = "pw-" + Long.toHexString(new Random().nextLong());
            Sh.run("userdel", user);
            Sh.ok("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                    "/usr/sbin/nologin", user);
            Path seed = dir.resolve("seed");
            NetnsTwoNodes.deleteTree(seed);
            Files.createDirectories(seed.resolve("office"));
            Files.createDirectories(seed.resolve("samba"));
            Sh.ok("chown", user, seed.resolve("office").toString());
            addAccount(dir.resolve("pdbedit"), seed.resolve("samba/passdb.tdb"));
            disk = lab.disk(dir.resolve("shared-disk.img"), seed);
            mount = dir.resolve("mnt");
            log("shared disk %s (%s); Unix user %s with its SMB account in /samba/passdb.tdb on it", disk.device(),
                    disk.majorMinor(), user);

            clientDir = dir.resolve("client");
            NetnsTwoNodes.deleteTree(clientDir);
            Files.createDirectories(clientDir);

            nodes = lab.startNodes(NetnsQuorum.pingTieBreaker(net, "quorum.tiebreaker.winner = node1",
                    "dead.time.ms = 600"));
            log("node1 and node2 started in their namespaces and see each other in %d ms", lab.elapsedMillis());

            lab.install("vigil-resource-disk vigil-resource-ip vigil-resource-fileshare", "ip", "disk", "fileshare");
            vip = net.pub + ".60";
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 office",
                    "vigil:resource-add office office-disk disk device=" + disk.device() + " mount-point=" + mount
                            + " reservation-timeout=" + RESERVATION.toSeconds() + "s",
                    "vigil:resource-add office office-ip ip address=" + vip + "/24 interface=eth0",
                    "vigil:resource-add office office-share fileshare path=" + mount + "/office listen=" + vip
                            + ":445 share=" + SHARE + " passdb=" + mount + "/samba/passdb.tdb valid-users=" + user));
            Map<String, String> vips = new LinkedHashMap<>();
            vips.put("office-ip", vip);
            watch = new PlacementWatch(net, nodes, disk, vips);
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 60 office").strip().replace('\n', ' '));
        }, () -> lab, NetnsFileshareFailoverIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("placement watch: %s", NetnsTwoNodes.summary(watch));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /** Stops the watch, the nodes, the disk, the namespaces ({@link NetnsTwoNodes}), then deletes the user. */
    static synchronized void tearDown() {
        if (watch != null) {
            watch.close();
        }
        if (lab != null) {
            lab.close();
        }
        if (user != null) {
            Sh.run("userdel", user);
            user = null;
        }
    }

    @Override
    public void stepFailed(String step) {
        if (nodes != null) {
            log("step '%s' failed; node logs:%n%s", step, nodes.logTails());
        }
    }

    @Test
    @Order(1)
    void theClientPutsAFileThroughTheVirtualAddressOntoTheSharedDisk() throws IOException {
        assertThat(watch.where("office-ip")).as("nodes with office's address up").containsExactly("node1");
        assertThat(watch.where("disk")).as("nodes with the shared disk mounted").containsExactly("node1");

        bytes = new byte[2 << 20];
        new Random().nextBytes(bytes);
        Files.write(clientDir.resolve("in.bin"), bytes);
        Sh.Result put = smbclient(Duration.ofSeconds(30), "put " + clientDir.resolve("in.bin") + " " + FILE);
        assertThat(put.ok()).as("smbclient put through //%s/%s: %s", vip, SHARE, put.output()).isTrue();

        long pid1 = nodes.jvmPid("node1");
        Path onDisk = Path.of("/proc/" + pid1 + "/root" + mount + "/office/" + FILE);
        assertThat(Files.readAllBytes(onDisk)).as("the file on the shared disk, in node1's mount namespace")
                .isEqualTo(bytes);
        assertThat(Files.exists(mount.resolve("office/" + FILE))).as("not visible outside node1's mount namespace")
                .isFalse();
        assertThat(Sh.run("ip", "netns", "exec", net.ns("cl"), "smbclient", "-p", "445", "//" + vip + "/" + SHARE,
                "-U", user + "%wrong-password", "-c", "ls").output()).contains("NT_STATUS_LOGON_FAILURE");
        log("client put %d bytes as %s through //%s/%s (node1)", bytes.length, FILE, vip, SHARE);
        assertNeverBoth();
    }

    @Test
    @Order(2)
    void afterThePowerLossOfTheActiveNodeTheClientGetsTheSameBytesFromTheOtherNode() {
        int trials = Prerequisites.intProperty("vigil.fileshare.trials", 1);
        List<Long> reads = new ArrayList<>();
        for (int trial = 1; trial <= trials; trial++) {
            Set<String> where = awaitSettled(Duration.ofSeconds(90));
            assertThat(where).as("office runs on one node before trial %d", trial).hasSize(1);
            String active = where.iterator().next();
            String other = active.equals("node1") ? "node2" : "node1";

            long cablesAt = System.currentTimeMillis();
            net.pullCables(active);
            String crash = nodes.crash(active);
            Matcher km = Pattern.compile("kill_ms=(\\d+)").matcher(crash);
            assertThat(km.find()).as("crash output: %s", crash).isTrue();
            long killAt = Long.parseLong(km.group(1));

            long readAt = awaitSameBytes(Duration.ofSeconds(60));
            assertThat(readAt).as("the client got the same bytes from //%s/%s within 60 s of %s's power loss", vip,
                    SHARE, active).isPositive();
            long diskStarted = nodes.logTime(other, "started office-disk (group office)", cablesAt);
            long ipStarted = nodes.logTime(other, "started office-ip (group office)", cablesAt);
            long shareStarted = nodes.logTime(other, "started office-share (group office)", cablesAt);
            assertThat(watch.where("office-ip")).containsExactly(other);
            assertThat(watch.where("disk")).containsExactly(other);
            assertThat(disk.mountNamespacesHoldingIt()).containsExactly(
                    SharedLoopDisk.mountNamespaceOf(nodes.jvmPid(other)));
            reads.add(readAt - cablesAt);
            String took = nodes.logLine(other, "started office-disk (group office)", cablesAt);
            assertThat(took).as("%s's disk agent took the reservation over on the proof that %s stopped", other, active)
                    .contains("took the disk over from node '" + active + "', which the cluster proved stopped (its lease"
                            + " lapsed").contains("without waiting out its reservation lease");
            assertThat(diskStarted - cablesAt).as("the disk mounted on %s %d ms after %s's power loss: well before its"
                    + " reservation-timeout (%d s)", other, diskStarted - cablesAt, active, RESERVATION.toSeconds())
                    .isPositive().isLessThan(DISK_TAKEOVER.toMillis());

            log("FIGURES trial=%d crashed=%s took_over=%s (t0 = cables pulled at %d):", trial, active, other, cablesAt);
            log("  SIGKILL of %s's processes        +%d ms", active, killAt - cablesAt);
            log("  %s disk started (proof: lease)   +%d ms", other, diskStarted - cablesAt);
            log("  %s ip started                    +%d ms", other, ipStarted - cablesAt);
            log("  %s fileshare (smbd) started      +%d ms", other, shareStarted - cablesAt);
            log("  first SMB read with the same bytes +%d ms", readAt - cablesAt);
            log("FIGURE trial=%d crashed=%s took_over=%s crash_to_first_read_ms=%d disk_ms=%d ip_ms=%d share_ms=%d",
                    trial, active, other, readAt - cablesAt, diskStarted - cablesAt, ipStarted - cablesAt,
                    shareStarted - cablesAt);
            assertNeverBoth();

            if (trial < trials) {
                net.powerOn(active);
                nodes.start(active);
                nodes.awaitOnline(other, active, Duration.ofSeconds(30));
                nodes.awaitOnline(active, other, Duration.ofSeconds(30));
                // it probes, finds office on the other node; its return may move office once (see awaitSettled)
            }
        }
        if (trials > 1) {
            log("FIGURES crash_to_first_read_ms over %d trials: %s", trials, reads);
        }
    }

    @Test
    @Order(3)
    void aSwitchoverMovesTheShareBackAndTheBytesAreStillThere() {
        Set<String> settled = awaitSettled(Duration.ofSeconds(90));
        String from = settled.isEmpty() ? "node1" : settled.iterator().next();
        String to = from.equals("node1") ? "node2" : "node1";
        if (nodes.jvmPid(to) < 0) {
            net.powerOn(to);
            nodes.start(to);
            nodes.awaitOnline(from, to, Duration.ofSeconds(30));
            nodes.awaitOnline(to, from, Duration.ofSeconds(30));
            settled = awaitSettled(Duration.ofSeconds(90)); // its return may have moved office (see awaitSettled)
        }
        assertThat(settled).as("office runs on one node before the switchover").hasSize(1);
        from = settled.iterator().next();
        to = from.equals("node1") ? "node2" : "node1";
        long t0 = System.currentTimeMillis();
        String out = nodes.cliOk(from, "vigil:switchover --wait 60 office " + to);
        log("%s (%d ms)", out.strip().replace('\n', ' '), System.currentTimeMillis() - t0);
        assertThat(out).contains("group office runs on " + to);
        long readAt = awaitSameBytes(Duration.ofSeconds(20));
        assertThat(readAt).as("the same bytes through %s after the switchover", to).isPositive();
        assertThat(watch.where("office-ip")).containsExactly(to);
        assertThat(watch.where("disk")).containsExactly(to);
        assertThat(nodes.logTime(from, "stopped office-share (group office)", t0)).as("%s's log: smbd stopped", from)
                .isPositive();
        log("switchover %s -> %s: first SMB read +%d ms after the request", from, to, readAt - t0);
        assertNeverBoth();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Waits until office's address and disk are on the same single node and have stayed there for 5 s (a node
     * powered on again can move the group once while its Vigil starts: see NetnsLeaseIT).
     *
     * @return that node (empty when it did not settle in time)
     */
    private static Set<String> awaitSettled(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Set<String> last = Set.of();
        long since = System.nanoTime();
        while (System.nanoTime() < end) {
            Set<String> ip = watch.where("office-ip");
            Set<String> now = ip.size() == 1 && ip.equals(watch.where("disk")) ? ip : Set.of();
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            } else if (!now.isEmpty() && System.nanoTime() - since > Duration.ofSeconds(5).toNanos()) {
                return now;
            }
            Lab.sleep(100);
        }
        return Set.of();
    }

    /** One smbclient run in the client's namespace against //vip/office with the account. */
    private static Sh.Result smbclient(Duration timeout, String commands) {
        return Sh.run(timeout, List.of("ip", "netns", "exec", net.ns("cl"), "smbclient", "-p", "445", "-t", "2",
                "//" + vip + "/" + SHARE, "-U", user + "%" + password, "-c", commands));
    }

    /**
     * Gets the file from the client, each try at most 2 s (a try sent to the crashed node's MAC gets no answer),
     * until it comes back with the bytes put in step 1.
     *
     * @return when the first such read ended (epoch ms), or -1
     */
    private static long awaitSameBytes(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Path out = clientDir.resolve("out.bin");
        String last = "";
        while (System.nanoTime() < end) {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Sh.Result r = smbclient(Duration.ofSeconds(2), "get " + FILE + " " + out);
            if (r.ok()) {
                long at = System.currentTimeMillis();
                try {
                    if (Files.exists(out) && Arrays.equals(Files.readAllBytes(out), bytes)) {
                        return at;
                    }
                    last = "a file of " + Files.size(out) + " bytes that differs";
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                last = r.output().strip();
            }
            Lab.sleep(100);
        }
        log("no good read within %s; last try: %s", timeout, last);
        return -1;
    }

    private static void assertNeverBoth() {
        assertThat(watch.overlaps()).as("sampled instants at which the address or the disk was on both nodes")
                .isEmpty();
    }

    /** {@code pdbedit -b tdbsam:FILE -a -t USER} (the README's command), its scratch files kept out of /var/lib/samba. */
    private static void addAccount(Path scratch, Path passdb) throws IOException {
        NetnsTwoNodes.deleteTree(scratch);
        Files.createDirectories(scratch.resolve("private"));
        Files.createDirectories(scratch.resolve("lock"));
        Path conf = scratch.resolve("smb.conf");
        Files.writeString(conf, "[global]\n    private dir = " + scratch.resolve("private") + "\n    lock directory = "
                + scratch.resolve("lock") + "\n    state directory = " + scratch.resolve("lock")
                + "\n    cache directory = " + scratch.resolve("lock") + "\n");
        Sh.ok("sh", "-c", "printf '%s\\n%s\\n' \"$1\" \"$1\" | pdbedit --configfile=\"$2\" -b \"tdbsam:$3\" -a -t \"$4\"",
                "vigil-pdbedit", password, conf.toString(), passdb.toString(), user);
        if (!Files.isRegularFile(passdb)) {
            throw new AssertionError("pdbedit made no " + passdb);
        }
    }

    /** Removes test users (vigilfs&lt;pid&gt;) of runs whose JVM is gone. */
    private static void sweepTestUsers() throws IOException {
        Pattern ours = Pattern.compile("vigilfs(\\d+)");
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            Matcher m = ours.matcher(line.split(":")[0]);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                Sh.run("userdel", m.group(0));
            }
        }
    }

    private static void requireTools() {
        Prerequisites.requireTools("NetnsFileshareFailoverIT", "network namespaces, loop devices, mounts, useradd",
                List.of("ip", "ping", "smbd", "testparm", "pdbedit", "smbclient", "useradd", "userdel", "mkfs.ext4", "e2fsck",
                        "losetup", "arping", "nsenter"),
                List.of(), "iproute2, iputils-ping, samba, smbclient, passwd, e2fsprogs, util-linux, iputils-arping; "
                        + "scripts/test.sh installs them as root");
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns-fileshare] " + format + "%n", args);
        System.out.flush();
    }
}
