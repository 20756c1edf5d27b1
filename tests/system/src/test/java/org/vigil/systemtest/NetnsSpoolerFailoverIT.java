package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The print spooler fails over with its queued jobs, across two real nodes in network namespaces
 * ({@link NetnsTopology}, {@link NetnsNodes}) sharing an ext4 loop disk ({@link SharedLoopDisk}). The resource
 * types disk, ip and spooler are installed at runtime on both nodes; group {@code office} = disk + virtual
 * address + spooler (cupsd, its queue definitions and spool directory on the disk, listening on the virtual
 * address), brought in on node1.
 *
 * <ol>
 * <li>Root on node1 defines printer {@code test} (a test backend appending each job to a file) through the
 * spooler's admin socket and holds it (cupsdisable); the client queues two jobs through the virtual address,
 * the second also held (-H hold). Nothing prints.</li>
 * <li>node1 loses power (cables pulled, then its JVM and every process it started SIGKILLed). The client keeps
 * trying to queue a job through the virtual address until one is accepted (the figure for the benchmark). On
 * node2 the same two jobs are still queued, the queue still held; released through node2's admin socket, they
 * print, then the job accepted after the crash.</li>
 * </ol>
 * A watch samples, every ~50 ms, which node has the virtual address up and which has the disk mounted: never
 * both.
 */
@Steps
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsSpoolerFailoverIT implements Steps.Diagnostics {

    private static final String RESOURCE = "office-spool";
    private static final String BACKEND = "vigiltest" + ProcessHandle.current().pid();
    private static final Path BACKEND_FILE = Path.of("/usr/lib/cups/backend", BACKEND);

    /**
     * Run in the client's namespace: until the deadline, probe VIP:631 (TCP, 0.3 s) and, once it accepts,
     * submit the file with lp; prints "accepted EPOCH_MS JOB-ID" for the first job the spooler accepted, or
     * "gave-up LAST-OUTPUT".
     */
    private static final String LP_POLL = """
            import socket, subprocess, sys, time
            vip, port, printer, path, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
            end = time.time() + seconds
            last = ''
            while time.time() < end:
                try:
                    socket.create_connection((vip, port), 0.3).close()
                except OSError as e:
                    last = str(e)
                    time.sleep(0.05)
                    continue
                try:
                    r = subprocess.run(['lp', '-h', '%s:%d' % (vip, port), '-d', printer, path], capture_output=True,
                                       text=True, timeout=5, stdin=subprocess.DEVNULL)
                    out = (r.stdout + r.stderr).strip()
                except subprocess.TimeoutExpired:
                    out = 'lp timed out'
                if 'request id is ' in out:
                    print('accepted %d %s' % (int(time.time() * 1000), out.split('request id is ')[1].split()[0]))
                    sys.exit(0)
                last = out
                time.sleep(0.05)
            print('gave-up ' + last)
            """;

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static SharedLoopDisk disk;
    private static NetnsNodes nodes;
    private static PlacementWatch watch;
    private static Path dir;
    private static Path mount;
    private static Path printed;
    private static String vip;
    private static List<String> queued = List.of();
    /** The admin sockets the spoolers listened on: a crashed cupsd leaves its socket file behind. */
    private static final java.util.Set<Path> SOCKETS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Thread HOOK = new Thread(NetnsSpoolerFailoverIT::tearDown, "netns-spooler-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        requireTools();
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-spooler"), 60);
            dir = lab.dir();
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            net = lab.net();
            log("namespaces %s-{n1,n2,cl,sw}: public %s.0/24, private %s.0/24", net.prefix, net.pub, net.priv);

            Path seed = dir.resolve("seed");
            NetnsTwoNodes.deleteTree(seed);
            Files.createDirectories(seed.resolve("cups"));
            disk = lab.disk(dir.resolve("shared-disk.img"), seed);
            mount = dir.resolve("mnt");
            printed = dir.resolve("printed.txt");
            Files.deleteIfExists(printed);
            installBackend();

            nodes = lab.startNodes(null);
            lab.install("vigil-resource-ip vigil-resource-disk vigil-resource-spooler", "ip", "disk", "spooler");
            vip = net.pub + ".60";
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 office",
                    "vigil:resource-add office office-disk disk device=" + disk.device() + " mount-point=" + mount
                            + " reservation-timeout=6s",
                    "vigil:resource-add office office-ip ip address=" + vip + "/24 interface=eth0",
                    "vigil:resource-add office " + RESOURCE + " spooler spool-directory=" + mount + "/cups listen="
                            + vip + ":631 host-names=print.example.com"));
            watch = new PlacementWatch(net, nodes, disk, Map.of("office-ip", vip));
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 60 office").strip().replace('\n', ' '));
        }, () -> lab, NetnsSpoolerFailoverIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("placement watch: %s", NetnsTwoNodes.summary(watch));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /**
     * Stops the watch, the nodes, the disk, the namespaces ({@link NetnsTwoNodes}), then deletes the sockets and
     * the backend. Idempotent.
     */
    static synchronized void tearDown() {
        if (watch != null) {
            watch.close();
        }
        if (lab != null) {
            lab.close();
        }
        for (Path p : SOCKETS) {
            try {
                if (p.startsWith("/run/vigil-spooler")) { // the ones in the lab directory go with it
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                System.err.println("[system] cannot delete " + p + ": " + e);
            }
        }
        try {
            Files.deleteIfExists(BACKEND_FILE);
        } catch (IOException e) {
            System.err.println("[system] cannot delete " + BACKEND_FILE + ": " + e);
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
    void jobsQueuedByTheClientThroughTheVirtualAddressWaitOnTheHeldQueueOfNode1() throws IOException {
        assertThat(watch.where("office-ip")).as("nodes with office's address up").containsExactly("node1");
        assertThat(watch.where("disk")).as("nodes with the shared disk mounted").containsExactly("node1");

        String socket1 = adminSocket("node1");
        Sh.ok("lpadmin", "-h", socket1, "-p", "test", "-v", BACKEND + ":" + printed, "-E");
        Sh.ok("cupsdisable", "-h", socket1, "test");
        log("printer test defined and held on node1 through its admin socket %s", socket1);

        Path one = Files.writeString(dir.resolve("job-one.txt"), "quarterly report, page 1\n");
        Path two = Files.writeString(dir.resolve("job-two.txt"), "quarterly report, page 2\n");
        assertThat(client("lp", "-h", vip + ":631", "-d", "test", one.toString())).contains("request id is test-");
        assertThat(client("lp", "-h", vip + ":631", "-d", "test", "-H", "hold", two.toString()))
                .contains("request id is test-");
        queued = queuedJobs();
        // cupsd checks the Host header of requests from the network: the address, and the names given, only
        assertThat(hostStatus("print.example.com:631")).as("GET / naming host-names' print.example.com").isEqualTo("200");
        assertThat(hostStatus(vip + ":631")).as("GET / naming the address").isEqualTo("200");
        assertThat(hostStatus("other.example.com:631")).as("GET / naming another host").isEqualTo("400");
        assertThat(queued).as("jobs queued through %s", vip).hasSize(2);
        assertThat(printed).as("nothing printed while the queue is held").doesNotExist();
        log("client queued %s through %s:631 (node1)", queued, vip);
        assertNeverBoth();
    }

    @Test
    @Order(2)
    void afterNode1LosesPowerTheJobsAreStillQueuedOnNode2AndPrintWhenReleased() throws IOException {
        Path three = Files.writeString(dir.resolve("job-three.txt"), "sent during the failover\n");
        long cablesAt = System.currentTimeMillis();
        net.pullCables("node1");
        String crash = nodes.crash("node1");
        log("node1 power loss at %d: %s", cablesAt, crash);

        Sh.Result poll = Sh.run(Duration.ofSeconds(75), List.of("ip", "netns", "exec", net.ns("cl"), "python3", "-c",
                LP_POLL, vip, "631", "test", three.toString(), "60"));
        Matcher accepted = Pattern.compile("accepted (\\d+) (\\S+)").matcher(poll.output());
        assertThat(accepted.find()).as("a job accepted through %s within 60 s of the crash: %s", vip, poll.output())
                .isTrue();
        long acceptedAt = Long.parseLong(accepted.group(1));
        String newJob = accepted.group(2);

        // the engine logs "started" once start returned, which may be just after cupsd accepted the job
        long spoolStarted = nodes.awaitLog("node2", "started " + RESOURCE + " (group office)", cablesAt,
                Duration.ofSeconds(10));
        long diskStarted = nodes.logTime("node2", "started office-disk (group office)", cablesAt);
        long ipStarted = nodes.logTime("node2", "started office-ip (group office)", cablesAt);
        assertThat(spoolStarted).as("node2's log: started %s", RESOURCE).isPositive();
        log("FIGURES spooler failover after node1's power loss (t0 = cables pulled at %d):", cablesAt);
        log("  node2 disk started (lease 6 s)  +%d ms", diskStarted - cablesAt);
        log("  node2 ip started                +%d ms", ipStarted - cablesAt);
        log("  node2 spooler started           +%d ms", spoolStarted - cablesAt);
        log("  first job accepted (%s)     +%d ms", newJob, acceptedAt - cablesAt);
        System.out.printf("FIGURES spooler crash_to_disk_ms=%d crash_to_ip_ms=%d crash_to_spooler_ms=%d"
                + " crash_to_accepted_ms=%d%n", diskStarted - cablesAt, ipStarted - cablesAt, spoolStarted - cablesAt,
                acceptedAt - cablesAt);
        assertThat(watch.where("office-ip")).containsExactly("node2");
        assertThat(watch.where("disk")).containsExactly("node2");

        List<String> now = queuedJobs();
        assertThat(now).as("the jobs queued before the crash, still queued on node2, then the new one")
                .containsExactly(queued.get(0), queued.get(1), newJob);
        assertThat(client("lpstat", "-h", vip + ":631", "-p", "test")).as("the queue is still held").contains(
                "disabled");
        assertThat(printed).doesNotExist();

        String socket2 = adminSocket("node2");
        Sh.ok("cupsenable", "-h", socket2, "test");
        awaitPrinted("quarterly report, page 1\nsent during the failover\n", Duration.ofSeconds(30));
        assertThat(queuedJobs()).as("the job held on node1 is still held on node2").containsExactly(queued.get(1));
        Sh.ok("lp", "-h", socket2, "-i", queued.get(1), "-H", "resume");
        awaitPrinted("quarterly report, page 1\nsent during the failover\nquarterly report, page 2\n",
                Duration.ofSeconds(30));
        log("released on node2 through %s: printed %s", socket2, Files.readString(printed).strip().replace('\n', '|'));
        assertThat(queuedJobs()).isEmpty();
        assertNeverBoth();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** @return the admin socket the node's spooler listens on, as its generated cupsd.conf names it */
    private static String adminSocket(String node) throws IOException {
        Path conf = nodes.dir().resolve(node).resolve("data/vigil/resources").resolve(RESOURCE).resolve(
                "cupsd/cupsd.conf");
        for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
            if (line.startsWith("Listen /")) {
                String socket = line.substring("Listen ".length()).strip();
                SOCKETS.add(Path.of(socket));
                return socket;
            }
        }
        throw new AssertionError("no admin socket in " + conf);
    }

    /** Runs a command in the client's namespace, failing the test when it fails. @return its output */
    private static String client(String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", net.ns("cl")));
        all.addAll(List.of(argv));
        Sh.Result r = Sh.run(Duration.ofSeconds(30), all);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", argv) + " in the client failed (exit " + r.exit() + "): "
                    + r.output());
        }
        return r.output();
    }

    /** @return the HTTP status of a GET of / sent from the client to the virtual address with this Host header */
    private static String hostStatus(String host) {
        return client("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "-H", "Host: " + host,
                "http://" + vip + ":631/").strip();
    }

    /** @return the ids of the jobs queued on printer test, as the client sees them through the virtual address */
    private static List<String> queuedJobs() {
        return client("lpstat", "-h", vip + ":631", "-o", "test").lines().filter(l -> l.startsWith("test-"))
                .map(l -> l.split("\\s+")[0]).toList();
    }

    private static void awaitPrinted(String expected, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(printed) && Files.readString(printed).length() >= expected.length()) {
                break;
            }
            Lab.sleep(100);
        }
        assertThat(Files.exists(printed) ? Files.readString(printed) : "(nothing printed)").isEqualTo(expected);
    }

    private static void assertNeverBoth() {
        assertThat(watch.overlaps()).as("sampled instants at which the address or the disk was on both nodes").isEmpty();
    }

    /** The test printer's backend: appends each job to the file its URI names; mode 0700, so cupsd runs it as root. */
    private static void installBackend() throws IOException {
        Files.writeString(BACKEND_FILE, """
                #!/bin/sh
                # Vigil NetnsSpoolerFailoverIT backend (removed by the test): appends each job to the file its URI names.
                if [ $# -eq 0 ]; then echo 'direct %s "Unknown" "Vigil test backend"'; exit 0; fi
                out="${DEVICE_URI#*:}"
                if [ $# -ge 6 ]; then cat "$6" >> "$out" || exit 1; else cat >> "$out" || exit 1; fi
                exit 0
                """.formatted(BACKEND), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(BACKEND_FILE, PosixFilePermissions.fromString("rwx------"));
    }

    private static void requireTools() {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(BACKEND_FILE.getParent())) {
            missing.add(BACKEND_FILE.getParent().toString());
        }
        Prerequisites.requireTools("NetnsSpoolerFailoverIT", "network namespaces, loop devices, mounts, cupsd",
                List.of("ip", "mkfs.ext4", "e2fsck", "losetup", "arping", "ping", "nsenter", "dd", "cupsd", "lp",
                        "lpstat", "lpadmin", "cupsenable", "cupsdisable", "python3", "curl"),
                missing, "iproute2, e2fsprogs, util-linux, iputils-arping, iputils-ping, cups, cups-client, cups-bsd, "
                        + "curl; scripts/test.sh installs them as root");
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns-spooler] " + format + "%n", args);
        System.out.flush();
    }
}
