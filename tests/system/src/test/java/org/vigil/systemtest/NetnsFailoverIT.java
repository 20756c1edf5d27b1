package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real nodes and a client, each in its own network namespace ({@link NetnsTopology}): a public network
 * (a bridge) joining all three, a private one between the nodes; heartbeats on both (udp paths pub and priv).
 * A shared disk (an ext4 loop device every namespace sees, {@link SharedLoopDisk}). The resource types ip, disk
 * and webroot are installed at runtime ({@code feature:install}) on both nodes. Group {@code office} = disk +
 * virtual address + web root serving a directory of the disk on that address, brought in on node1; group
 * {@code db} = a second virtual address on the same interface, preferring node2.
 *
 * <ol>
 * <li>The client gets, through the virtual address, the page written through node1 onto the shared disk.</li>
 * <li>node1 loses power: its cables are pulled (its interfaces go down inside its namespace), then its JVM and
 * every process it started are SIGKILLed. node2 runs office; the client gets the same page from the same
 * address, and its neighbour table shows node2's MAC within 1 s of node2's ip resource starting; the client
 * sends nothing to the address meanwhile (the gratuitous ARP must update it).</li>
 * <li>node1 is powered on (boot addresses only, cables in) and restarted: with manual failback nothing moves,
 * the disk stays mounted on node2 only and reserved by node2, node1 shows nothing of it running.</li>
 * <li>While node2 holds the disk, a start of it on node1 (group probe) is refused, naming node2; nothing is
 * mounted on node1 and the reservation is untouched.</li>
 * <li>A planned switchover moves office back to node1; db's address, on the same interface, never moves.</li>
 * <li>{@code vigil:resource-set} gives the running db a new address: it keeps running with the old one until a
 * switchover, where node2 removes the old address (its stop uses the parameters it started with) and node1 adds the
 * new one; node2's {@code vigil:document} names the change and node1.</li>
 * </ol>
 * All along, every ~50 ms, a watch samples which node has each virtual address up and which has the disk
 * mounted: never both.
 */
@Steps
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsFailoverIT implements Steps.Diagnostics {

    /** The requirement: the client's neighbour table shows the new owner within 1 s of the takeover. */
    static final long NEIGHBOUR_LIMIT_MILLIS = 1000;

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static SharedLoopDisk disk;
    private static NetnsNodes nodes;
    private static PlacementWatch watch;
    private static String officeVip;
    private static String dbVip;
    private static Path mount;
    private static String page;
    private static final Thread HOOK = new Thread(NetnsFailoverIT::tearDown, "netns-failover-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        requireNetnsTools();
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-failover"), 30);
            Path dir = lab.dir();
            net = lab.net();
            log("namespaces %s-{n1,n2,cl,sw}: public %s.0/24, private %s.0/24", net.prefix, net.pub, net.priv);

            Path seed = dir.resolve("seed");
            NetnsTwoNodes.deleteTree(seed);
            Files.createDirectories(seed.resolve("htdocs"));
            Files.writeString(seed.resolve("htdocs/index.html"), "seed page, not written by a node\n");
            disk = lab.disk(dir.resolve("shared-disk.img"), seed);
            mount = dir.resolve("mnt");
            log("shared disk %s (%s, %d MiB, ext4 leaving the last MiB free)", disk.device(), disk.majorMinor(),
                    SharedLoopDisk.MIB);

            nodes = lab.startNodes(null);
            log("node1 and node2 started in their namespaces and see each other on pub and priv in %d ms",
                    lab.elapsedMillis());

            lab.install("vigil-resource-ip vigil-resource-disk vigil-resource-webroot", "ip", "disk", "webroot");
            officeVip = net.pub + ".50";
            dbVip = net.pub + ".51";
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 office",
                    "vigil:resource-add office office-disk disk device=" + disk.device() + " mount-point=" + mount
                            + " reservation-timeout=6s",
                    "vigil:resource-add office office-ip ip address=" + officeVip + "/24 interface=eth0",
                    "vigil:resource-add office office-web webroot root=" + mount + "/htdocs listen=" + officeVip + ":80",
                    "vigil:group-add --stopped --preferred node2,node1 db",
                    "vigil:resource-add db db-ip ip address=" + dbVip + "/24 interface=eth0"));
            Map<String, String> vips = new LinkedHashMap<>();
            vips.put("office-ip", officeVip);
            vips.put("db-ip", dbVip);
            watch = new PlacementWatch(net, nodes, disk, vips);
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 60 office").strip().replace('\n', ' '));
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 30 db").strip().replace('\n', ' '));
        }, () -> lab, NetnsFailoverIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("placement watch: %s", NetnsTwoNodes.summary(watch));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /** Stops the watch, then the nodes (by recorded pid), the disk and the namespaces ({@link NetnsTwoNodes}). */
    static synchronized void tearDown() {
        if (watch != null) {
            watch.close();
        }
        if (lab != null) {
            lab.close();
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
    void theClientGetsThePageWrittenThroughNode1OntoTheSharedDiskThroughTheVirtualAddress() throws IOException {
        assertThat(watch.where("office-ip")).as("nodes with office's address up").containsExactly("node1");
        assertThat(watch.where("disk")).as("nodes with the shared disk mounted").containsExactly("node1");
        assertThat(watch.where("db-ip")).as("nodes with db's address up").containsExactly("node2");

        // written through node1: into its mount namespace, where the disk agent mounted the shared disk
        long pid1 = nodes.jvmPid("node1");
        page = "office page " + UUID.randomUUID() + "\n";
        Path file = Path.of("/proc/" + pid1 + "/root" + mount + "/htdocs/index.html");
        Files.writeString(file, page, StandardCharsets.UTF_8);
        assertThat(Sh.ok("nsenter", "-t", Long.toString(pid1), "-m", "sync", "-f", mount + "/htdocs/index.html"))
                .isEmpty();
        assertThat(Files.exists(mount.resolve("htdocs/index.html")))
                .as("the page is not visible from the root namespace's mount point (the disk is mounted in node1's only)")
                .isFalse();

        String body = awaitPage(Duration.ofSeconds(10));
        assertThat(body).as("GET http://%s/ from the client", officeVip).isEqualTo(page);
        String mac1 = net.mac(net.nodeNs("node1"), "eth0");
        assertThat(net.clientNeighbour(officeVip)).as("client's neighbour entry for %s", officeVip).contains(mac1);
        log("client GET http://%s/ -> %s(node1's MAC %s in the client's neighbour table)", officeVip, page, mac1);
        assertNeverBoth();
    }

    @Test
    @Order(2)
    void powerLossOfNode1MovesOfficeToNode2AndTheClientFollowsByGratuitousArp() {
        String mac2 = net.mac(net.nodeNs("node2"), "eth0");
        log("client neighbour entry before: %s", net.clientNeighbourLine(officeVip));

        long cablesAt = System.currentTimeMillis();
        long cablesDone = net.pullCables("node1");
        String crash = nodes.crash("node1");
        Matcher km = Pattern.compile("kill_ms=(\\d+)").matcher(crash);
        assertThat(km.find()).as("crash output: %s", crash).isTrue();
        long killAt = Long.parseLong(km.group(1));
        log("node1 power loss: cables pulled %d..%d, %s", cablesAt, cablesDone, crash);

        // no traffic to the address from the client now: only its neighbour table is read
        long neighbourAt = -1;
        long end = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < end) {
            Optional<String> n = net.clientNeighbour(officeVip);
            if (n.isPresent() && n.get().equals(mac2)) {
                neighbourAt = System.currentTimeMillis();
                break;
            }
            Lab.sleep(10);
        }
        String neighbourLine = net.clientNeighbourLine(officeVip);
        long ipStarting = nodes.awaitLog("node2", "starting office-ip (group office)", cablesAt, Duration.ofSeconds(5));
        long ipStarted = nodes.awaitLog("node2", "started office-ip (group office)", cablesAt, Duration.ofSeconds(10));
        long diskStarted = nodes.logTime("node2", "started office-disk (group office)", cablesAt);
        long webStarted = nodes.awaitLog("node2", "started office-web (group office)", cablesAt, Duration.ofSeconds(20));
        if (neighbourAt < 0 || ipStarted < 0) {
            // say which step did not happen: the takeover on node2 or the client's neighbour update
            Sh.Result st = nodes.cli("node2", "vigil:status");
            throw new AssertionError(String.format("after node1's power loss: node2 %s office-ip; the client's neighbour"
                    + " table %s node2's MAC %s for %s within 30 s (now: %s)%nnode2's vigil:status:%n%s%n%s",
                    ipStarted > 0 ? "started" : "did not start", neighbourAt > 0 ? "showed" : "did not show", mac2,
                    officeVip, neighbourLine, st.output(), nodes.logTails()));
        }

        String body = awaitPage(Duration.ofSeconds(15));
        long servedAt = System.currentTimeMillis();
        assertThat(body).as("the same page from the same address, now from node2").isEqualTo(page);
        assertThat(watch.where("office-ip")).containsExactly("node2");
        assertThat(watch.where("disk")).containsExactly("node2");

        log("FIGURES failover after node1's power loss (t0 = cables pulled at %d):", cablesAt);
        log("  SIGKILL of node1's processes      +%d ms", killAt - cablesAt);
        log("  node2 disk started (lease 6 s)     +%d ms", diskStarted - cablesAt);
        log("  node2 ip starting / started        +%d / +%d ms", ipStarting - cablesAt, ipStarted - cablesAt);
        log("  client neighbour -> node2's MAC    +%d ms (%+d ms from 'started office-ip', %+d ms from 'starting')",
                neighbourAt - cablesAt, neighbourAt - ipStarted, neighbourAt - ipStarting);
        log("  node2 webroot started              +%d ms", webStarted - cablesAt);
        log("  client GET answered with the page  +%d ms (polled only after the neighbour update)", servedAt - cablesAt);
        log("  neighbour entry: %s", neighbourLine);
        assertThat(neighbourAt - ipStarted)
                .as("ms from node2's ip resource start (takeover) until the client's neighbour table shows node2's MAC")
                .isLessThanOrEqualTo(NEIGHBOUR_LIMIT_MILLIS);
        assertThat(disk.mountNamespacesHoldingIt()).as("mount namespaces on the machine with the disk mounted")
                .containsExactly(SharedLoopDisk.mountNamespaceOf(nodes.jvmPid("node2")));
        assertNeverBoth();
    }

    @Test
    @Order(3)
    void node1ComesBackAndNothingMovesWhileNode2HoldsTheDisk() {
        net.powerOn("node1");
        long t0 = System.currentTimeMillis();
        nodes.start("node1");
        nodes.awaitOnline("node2", "node1", Duration.ofSeconds(30));
        nodes.awaitOnline("node1", "node2", Duration.ofSeconds(30));
        log("node1 powered on, restarted and rejoined in %d ms", System.currentTimeMillis() - t0);
        Lab.sleep(5000);

        assertThat(watch.placementsSince("office-ip", t0)).as("office's address since node1 came back")
                .containsExactly(Set.of("node2"));
        assertThat(watch.placementsSince("disk", t0)).as("the disk's mounts since node1 came back")
                .containsExactly(Set.of("node2"));
        String reservation = disk.reservation();
        assertThat(reservation).as("the reservation record on the disk").startsWith("held by node2 ");
        String status1 = nodes.cliOk("node1", "vigil:status");
        Matcher diskLine = Pattern.compile("(?m)^\\s+office-disk\\s+disk\\s+(.*)$").matcher(status1);
        assertThat(diskLine.find()).as("office-disk in node1's vigil:status:%n%s", status1).isTrue();
        assertThat(diskLine.group(1)).as("office-disk as node1 reports it").doesNotContain("node1: RUNNING")
                .contains("node2: RUNNING");
        assertThat(disk.mountedIn(Sh.read(Path.of("/proc/" + nodes.jvmPid("node1") + "/mountinfo"))))
                .as("the disk in node1's mount namespace").isFalse();
        assertThat(net.clientGet("http://" + officeVip + "/")).isEqualTo(page);
        log("with node1 back: office stays on node2 (manual failback); %s; node1's status: %s", reservation,
                diskLine.group(0).strip());
        assertNeverBoth();
    }

    /**
     * A start of the disk on node1 while node2 holds it must be refused. Group probe holds one disk resource on
     * the same disk, named by a path that exists on node1 only (a symbolic link on a tmpfs mounted in node1's
     * mount namespace), so that only node1 can try it (on node2 the device does not exist: not installed there).
     */
    @Test
    @Order(4)
    void aStartOfTheDiskOnNode1IsRefusedWhileNode2HoldsIt() throws IOException {
        long pid1 = nodes.jvmPid("node1");
        Path only = nodes.dir().resolve("node1-only");
        Files.createDirectories(only);
        Sh.ok("nsenter", "-t", Long.toString(pid1), "-m", "sh", "-c", "mount -t tmpfs -o size=1m vnf-node1-only '" + only
                + "' && ln -s '" + disk.device() + "' '" + only + "/shared-disk'");
        assertThat(Files.exists(only.resolve("shared-disk"))).as("the link is not visible outside node1").isFalse();
        String before = disk.reservation();
        long t0 = System.currentTimeMillis();
        nodes.cliOk("node1", String.join("\n",
                "vigil:group-add --stopped --preferred node1 probe",
                "vigil:resource-add probe probe-disk disk device=" + only + "/shared-disk mount-point=" + mount
                        + "-probe reservation-timeout=6s"));
        Sh.Result in = nodes.cli("node1", "vigil:bring-in --wait 15 probe node1");
        long refusedAt = nodes.awaitLog("node1", "reserved by node 'node2'", t0, Duration.ofSeconds(20));
        String refusal = "";
        for (String line : Files.readAllLines(nodes.dir().resolve("node1/data/log/karaf.log"), StandardCharsets.UTF_8)) {
            if (line.contains("reserved by node 'node2'")) {
                refusal = line.substring(line.lastIndexOf('|') + 1).strip();
            }
        }
        log("bring-in probe on node1: %s", in.output().strip().replace('\n', ' '));
        assertThat(refusedAt).as("node1's log: the disk start refused, naming node2 as the live holder").isPositive();
        log("refused on node1 %d ms after the group was defined: %s", refusedAt - t0, refusal);
        assertThat(watch.placementsSince("disk", t0)).as("the disk's mounts while node1 tried").containsExactly(
                Set.of("node2"));
        assertThat(disk.mountNamespacesHoldingIt()).containsExactly(SharedLoopDisk.mountNamespaceOf(nodes.jvmPid("node2")));
        String after = disk.reservation();
        assertThat(after).startsWith("held by node2 ");
        assertThat(after.replaceAll(", renewals \\d+", "")).as("same holder, same incarnation")
                .isEqualTo(before.replaceAll(", renewals \\d+", ""));

        nodes.cli("node1", "vigil:bring-out probe");
        Sh.Result removed = nodes.cli("node1", "vigil:group-remove --force probe");
        log("probe removed: %s", removed.output().strip().replace('\n', ' '));
        assertThat(net.clientGet("http://" + officeVip + "/")).as("office still serves").isEqualTo(page);
        assertNeverBoth();
    }

    @Test
    @Order(5)
    void aSwitchoverMovesOfficeBackWhileDbsAddressOnTheSameInterfaceStays() {
        long t0 = System.currentTimeMillis();
        String out = nodes.cliOk("node2", "vigil:switchover --wait 60 office node1");
        long took = System.currentTimeMillis() - t0;
        log("%s (%d ms)", out.strip().replace('\n', ' '), took);
        assertThat(out).contains("group office runs on node1");
        String mac1 = net.mac(net.nodeNs("node1"), "eth0");
        String body = awaitPage(Duration.ofSeconds(10));
        assertThat(body).isEqualTo(page);
        assertThat(watch.where("office-ip")).containsExactly("node1");
        assertThat(watch.where("disk")).containsExactly("node1");
        assertThat(net.clientNeighbour(officeVip)).contains(mac1);
        assertThat(disk.reservation()).startsWith("held by node1 ");

        // db's address, a second address on node2's eth0, was never touched by office's moves
        List<Set<String>> db = watch.placementsSince("db-ip", firstDbSample());
        assertThat(db).as("where db's address was, from when it first came up").containsExactly(Set.of("node2"));
        assertThat(net.addressesUp(net.nodeNs("node2"))).contains(dbVip).doesNotContain(officeVip);
        log("office back on node1 in %d ms; db's %s stayed on node2 throughout: %s", took, dbVip, db);
        assertNeverBoth();
    }

    @Test
    @Order(6)
    void aNewAddressSetOnTheRunningDbAppliesAtItsNextStartAndTheOldOneIsRemovedAsItWasAdded() {
        String newVip = net.pub + ".52";
        String out = nodes.cliOk("node1", "vigil:resource-set db-ip address=" + newVip + "/24");
        log("%s", out.strip().replace('\n', ' '));
        assertThat(out).contains("the new parameters apply when it next starts");
        Lab.sleep(3000); // three monitors of db-ip (every second): they check the address it runs with, so nothing fails or moves
        assertThat(nodes.cliOk("node2", "vigil:status")).contains("parameters changed: they apply when it next starts");
        assertThat(net.addressesUp(net.nodeNs("node2"))).as("db still runs as started").contains(dbVip).doesNotContain(newVip);

        out = nodes.cliOk("node1", "vigil:switchover --wait 60 db node1");
        log("%s", out.strip().replace('\n', ' '));
        assertThat(out).contains("group db runs on node1");
        assertThat(net.addressesUp(net.nodeNs("node2"))).as("node2 stopped db with the address it had added")
                .doesNotContain(dbVip).doesNotContain(newVip);
        assertThat(net.addressesUp(net.nodeNs("node1"))).as("node1 started db with the new address")
                .contains(newVip).doesNotContain(dbVip);
        String document = nodes.cliOk("node2", "vigil:document");
        assertThat(document).as("the change is attributed on the other node too").contains("vigil:resource-set db-ip address")
                .contains("\"node\": \"node1\"").contains("\"user\": \"vigil-lab\"");
        assertNeverBoth();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static long firstDbSample() {
        for (Watch.Sample<Map<String, Set<String>>> s : watch.changes()) {
            if (!s.state().get("db-ip").isEmpty()) {
                return s.atMillis();
            }
        }
        fail("db's address was never seen up");
        return 0;
    }

    private static void assertNeverBoth() {
        assertThat(watch.overlaps()).as("sampled instants at which an address or the disk was on both nodes").isEmpty();
    }

    /** Polls the page from the client every 100 ms. @return the last body (null: never answered) */
    private static String awaitPage(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        String body = null;
        while (System.nanoTime() < end) {
            body = net.clientGet("http://" + officeVip + "/");
            if (page.equals(body)) {
                return body;
            }
            Lab.sleep(100);
        }
        return body;
    }

    private static void requireNetnsTools() {
        Prerequisites.requireTools("NetnsFailoverIT", "network namespaces, loop devices, mounts",
                List.of("ip", "nginx", "mkfs.ext4", "e2fsck", "losetup", "curl", "arping", "ping", "nsenter", "dd"),
                List.of(), "iproute2, nginx, e2fsprogs, util-linux, curl, iputils-arping, iputils-ping; "
                        + "scripts/test.sh installs them as root");
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns] " + format + "%n", args);
        System.out.flush();
    }
}
