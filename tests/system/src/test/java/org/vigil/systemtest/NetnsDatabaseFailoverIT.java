package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SQL service fails over with its data, between two real nodes in network namespaces
 * ({@link NetnsTopology}, heartbeats on pub and priv), each database on its own shared disk
 * ({@link SharedLoopDisk}) initialised once the way an admin does it (initdb, mariadb-install-db, as the
 * server's user). The types ip, disk and sql are installed at runtime ({@code feature:install}). Group
 * {@code database} = disk + virtual address + postgresql; group {@code mariadb} = disk + virtual address +
 * mariadb; both on node1.
 *
 * <ol>
 * <li>A client in the client namespace inserts rows through each virtual address over JDBC, one commit per row,
 * counting the acknowledged commits, continuously; each server listens on its virtual address only.</li>
 * <li>node1 loses power (cables pulled, then its JVM and every process it started SIGKILLed). node2 takes the
 * disks over once their reservation lease has run out (6 s), mounts them (journal replay), adds the addresses,
 * starts the servers (crash recovery). The client, still using the same address, reconnects by itself, and
 * every row whose commit was acknowledged is there.</li>
 * </ol>
 * Every ~50 ms a watch samples where each address and each disk is: never on both nodes.
 * With {@code -Dvigil.sql.bench=true} the figures (crash to first acknowledged commit) are printed as
 * {@code BENCH ...} lines for bench/sql-failover.sh.
 */
@Steps
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsDatabaseFailoverIT implements Steps.Diagnostics {

    static final String PASSWORD = "db-failover-test-password";

    /** One database group of the lab. */
    record Db(String engine, String group, String vip, int port, String user, SharedLoopDisk disk, String mount,
            PlacementWatch watch) {
        String url() {
            return engine.equals("postgresql") ? "jdbc:postgresql://" + vip + ":" + port + "/postgres"
                    : "jdbc:mariadb://" + vip + ":" + port + "/vigil_test";
        }
    }

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static NetnsNodes nodes;
    private static Path dir;
    private static Path passwordFile;
    private static final List<Db> dbs = new ArrayList<>();
    private static final Map<String, Process> clients = new LinkedHashMap<>();
    private static final Map<String, Path> clientLogs = new LinkedHashMap<>();
    private static final Thread HOOK = new Thread(NetnsDatabaseFailoverIT::tearDown, "netns-database-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        requireTools();
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-database"), 40);
            dir = lab.dir();
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            net = lab.net();
            log("namespaces %s-{n1,n2,cl,sw}: public %s.0/24, private %s.0/24", net.prefix, net.pub, net.priv);

            passwordFile = dir.resolve("monitor.password");
            Files.writeString(passwordFile, PASSWORD + "\n");
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            Path cnf = dir.resolve("mariadb.cnf");
            // A 64 MiB disk: a small redo log; no reverse DNS for clients in the namespaces.
            Files.writeString(cnf, "[mariadbd]\ninnodb_log_file_size=4M\nskip-name-resolve\n");

            SharedLoopDisk pgDisk = lab.disk(dir.resolve("pg-disk.img"), seedPostgres());
            SharedLoopDisk mariaDisk = lab.disk(dir.resolve("maria-disk.img"), seedMariadb(cnf));

            nodes = lab.startNodes(null);
            log("node1 and node2 started in %d ms", lab.elapsedMillis());
            lab.install("vigil-resource-ip vigil-resource-disk vigil-resource-sql", "ip", "disk", "postgresql",
                    "mariadb");

            String pgVip = net.pub + ".60";
            String mariaVip = net.pub + ".61";
            String pgMount = dir + "/mnt-pg";
            String mariaMount = dir + "/mnt-maria";
            // Short socket directories: the state directory's path is too long for a unix socket here.
            String sockets = "/tmp/" + net.prefix + "-sock";
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 database",
                    "vigil:resource-add database database-disk disk device=" + pgDisk.device() + " mount-point="
                            + pgMount + " reservation-timeout=6s",
                    "vigil:resource-add database database-ip ip address=" + pgVip + "/24 interface=eth0",
                    "vigil:resource-add database database-sql postgresql data-directory=" + pgMount + "/pgdata"
                            + " address=" + pgVip + " monitor-user=postgres monitor-password-file=" + passwordFile
                            + " socket-directory=" + sockets + "-pg",
                    "vigil:group-add --stopped --preferred node1,node2 mariadb",
                    "vigil:resource-add mariadb mariadb-disk disk device=" + mariaDisk.device() + " mount-point="
                            + mariaMount + " reservation-timeout=6s",
                    "vigil:resource-add mariadb mariadb-ip ip address=" + mariaVip + "/24 interface=eth0",
                    "vigil:resource-add mariadb mariadb-sql mariadb data-directory=" + mariaMount + "/mysql"
                            + " address=" + mariaVip + " monitor-user=vigil_monitor monitor-password-file="
                            + passwordFile + " config-file=" + cnf + " socket-directory=" + sockets + "-maria"));
            dbs.add(new Db("postgresql", "database", pgVip, 5432, "postgres", pgDisk, pgMount,
                    new PlacementWatch(net, nodes, pgDisk, Map.of("database-ip", pgVip))));
            dbs.add(new Db("mariadb", "mariadb", mariaVip, 3306, "vigil_monitor", mariaDisk, mariaMount,
                    new PlacementWatch(net, nodes, mariaDisk, Map.of("mariadb-ip", mariaVip))));
            for (Db db : dbs) {
                log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 120 " + db.group()).strip().replace('\n', ' '));
            }
        }, () -> lab, NetnsDatabaseFailoverIT::tearDown);
    }

    /** initdb as postgres (1 MiB WAL segments: the disk is 64 MiB), password logins from the public network. */
    private static Path seedPostgres() throws IOException {
        Path seed = dir.resolve("seed-pg");
        NetnsTwoNodes.deleteTree(seed);
        Path data = Files.createDirectories(seed.resolve("pgdata"));
        Files.setPosixFilePermissions(seed, PosixFilePermissions.fromString("rwxr-xr-x"));
        Sh.ok("chown", "postgres:postgres", data.toString());
        Path pw = seed.resolve("initdb.pw");
        Files.writeString(pw, PASSWORD + "\n");
        Sh.ok("chown", "postgres:postgres", pw.toString());
        String initdb = newestPostgresBin() + "/initdb";
        Sh.Result r = Sh.run(Duration.ofSeconds(120), List.of("setpriv", "--reuid=postgres", "--regid=postgres",
                "--init-groups", initdb, "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw, "--auth=scram-sha-256",
                "--wal-segsize=1", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"));
        assertThat(r.ok()).as("initdb: %s", r.output()).isTrue();
        Files.delete(pw);
        Files.writeString(data.resolve("pg_hba.conf"), "host all all " + net.pub + ".0/24 scram-sha-256\n",
                java.nio.file.StandardOpenOption.APPEND);
        return seed;
    }

    /** mariadb-install-db as mysql with the cluster's option file, then the monitor's (and the client's) user. */
    private static Path seedMariadb(Path cnf) throws IOException {
        Path seed = dir.resolve("seed-maria");
        NetnsTwoNodes.deleteTree(seed);
        Path data = Files.createDirectories(seed.resolve("mysql"));
        Files.setPosixFilePermissions(seed, PosixFilePermissions.fromString("rwxr-xr-x"));
        Sh.ok("chown", "mysql:mysql", data.toString());
        Sh.Result r = Sh.run(Duration.ofSeconds(120), List.of("mariadb-install-db", "--defaults-file=" + cnf,
                "--user=mysql", "--datadir=" + data, "--skip-test-db", "--auth-root-authentication-method=socket"));
        assertThat(r.ok()).as("mariadb-install-db: %s", r.output()).isTrue();
        Path sql = seed.resolve("bootstrap.sql");
        Files.writeString(sql, "FLUSH PRIVILEGES;\nCREATE USER 'vigil_monitor'@'%' IDENTIFIED BY '" + PASSWORD
                + "';\nCREATE DATABASE vigil_test;\nGRANT ALL ON vigil_test.* TO 'vigil_monitor'@'%';\n");
        Sh.Result b = Sh.run(Duration.ofSeconds(120), List.of("sh", "-c", "exec /usr/sbin/mariadbd --defaults-file="
                + cnf + " --bootstrap --datadir=" + data + " --user=mysql < " + sql));
        assertThat(b.ok()).as("mariadbd --bootstrap: %s", b.output()).isTrue();
        Files.delete(sql);
        return seed;
    }

    @AfterAll
    static void afterAll() {
        for (Db db : dbs) {
            log("%s placement watch: %s", db.engine(), NetnsTwoNodes.summary(db.watch()));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /**
     * Stops the clients, the watches, then the nodes (by recorded pid), the disks and the namespaces
     * ({@link NetnsTwoNodes}), then deletes the socket directories.
     */
    static synchronized void tearDown() {
        clients.values().forEach(Process::destroyForcibly);
        clients.clear();
        for (Db db : dbs) {
            db.watch().close();
        }
        String prefix = net == null ? null : net.prefix;
        if (lab != null) {
            lab.close();
        }
        if (prefix != null) {
            Sh.run("rm", "-rf", "/tmp/" + prefix + "-sock-pg", "/tmp/" + prefix + "-sock-maria");
        }
    }

    @Override
    public void stepFailed(String step) {
        if (nodes != null) {
            log("step '%s' failed; node logs:%n%s", step, nodes.logTails());
            clientLogs.forEach((engine, log) -> log("%s client, last lines:%n%s", engine, tail(log, 15)));
        }
    }

    @Test
    @Order(1)
    void theClientCommitsRowsThroughEachVirtualAddressAndEachServerListensThereOnly() throws IOException {
        for (Db db : dbs) {
            assertThat(db.watch().where(db.group() + "-ip")).as("%s's address", db.group()).containsExactly("node1");
            assertThat(db.watch().where("disk")).as("%s's disk", db.group()).containsExactly("node1");
            String listening = Sh.ok("ip", "netns", "exec", net.nodeNs("node1"), "ss", "-Hltn", "sport", "= :"
                    + db.port());
            Set<String> local = new TreeSet<>();
            for (String line : listening.strip().split("\n")) {
                local.add(line.strip().split("\\s+")[3]); // State Recv-Q Send-Q Local Peer
            }
            assertThat(local).as("%s's listening sockets on node1 (port %d)", db.engine(), db.port())
                    .containsExactly(db.vip() + ":" + db.port());
            startClient(db);
        }
        for (Db db : dbs) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acks(db).size() < 200 && System.nanoTime() < end) {
                Lab.sleep(200);
            }
            assertThat(acks(db).size()).as("%s commits acknowledged through %s", db.engine(), db.vip())
                    .isGreaterThanOrEqualTo(200);
            log("%s: %d commits acknowledged through %s so far", db.engine(), acks(db).size(), db.vip());
        }
        String status = nodes.cliOk("node1", "vigil:status");
        for (Db db : dbs) {
            assertThat(status).containsPattern("(?m)^\\s+" + db.group() + "-sql\\s+" + db.engine() + "\\s+.*node1: RUNNING");
        }
        assertNeverBoth();
    }

    @Test
    @Order(2)
    void afterNode1LosesPowerEveryAcknowledgedRowIsServedByNode2OnTheSameAddress() {
        long cablesAt = System.currentTimeMillis();
        net.pullCables("node1");
        String crash = nodes.crash("node1");
        Matcher km = Pattern.compile("kill_ms=(\\d+)").matcher(crash);
        assertThat(km.find()).as("crash output: %s", crash).isTrue();
        long killAt = Long.parseLong(km.group(1));
        log("node1 power loss: cables pulled at %d, %s", cablesAt, crash);
        Map<String, Integer> ackedBefore = new LinkedHashMap<>();
        for (Db db : dbs) {
            ackedBefore.put(db.engine(), acks(db).size());
        }

        Map<String, Long> firstCommit = new LinkedHashMap<>();
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (firstCommit.size() < dbs.size() && System.nanoTime() < end) {
            for (Db db : dbs) {
                acks(db).values().stream().filter(t -> t > killAt).min(Long::compare)
                        .ifPresent(t -> firstCommit.putIfAbsent(db.engine(), t));
            }
            Lab.sleep(100);
        }
        Lab.sleep(2000); // a few more commits on node2
        for (Db db : dbs) {
            assertThat(firstCommit).as("%s: a commit acknowledged through %s after the crash (the client reconnected)",
                    db.engine(), db.vip()).containsKey(db.engine());
        }
        stopClients();

        log("FIGURES database failover after node1's power loss (t0 = cables pulled at %d; SIGKILL +%d ms):",
                cablesAt, killAt - cablesAt);
        for (Db db : dbs) {
            Map<Long, Long> acked = acks(db);
            Set<Long> present = ids(db);
            List<Long> lost = acked.keySet().stream().filter(id -> !present.contains(id)).toList();
            assertThat(lost).as("%s: acknowledged rows missing on node2 (of %d acknowledged, %d before the crash)",
                    db.engine(), acked.size(), ackedBefore.get(db.engine())).isEmpty();
            assertThat(db.watch().where(db.group() + "-ip")).containsExactly("node2");
            assertThat(db.watch().where("disk")).containsExactly("node2");
            long diskStarted = nodes.logTime("node2", "started " + db.group() + "-disk (group " + db.group() + ")",
                    cablesAt);
            long ipStarted = nodes.logTime("node2", "started " + db.group() + "-ip (group " + db.group() + ")",
                    cablesAt);
            long sqlStarted = nodes.logTime("node2", "started " + db.group() + "-sql (group " + db.group() + ")",
                    cablesAt);
            long first = firstCommit.get(db.engine());
            log("  %-10s disk +%d, ip +%d, server started (logged after its readiness query) +%d, first acknowledged commit"
                    + " through %s +%d ms; %d rows acknowledged, all %d present on node2 (%d rows there)",
                    db.engine(), diskStarted - cablesAt, ipStarted - cablesAt, sqlStarted - cablesAt, db.vip(),
                    first - cablesAt, acked.size(), acked.size(), present.size());
            if (Boolean.getBoolean("vigil.sql.bench")) {
                System.out.printf("BENCH engine=%s crash_to_first_commit_ms=%d disk_ms=%d ip_ms=%d server_ms=%d"
                        + " acked=%d lost=%d%n", db.engine(), first - cablesAt, diskStarted - cablesAt,
                        ipStarted - cablesAt, sqlStarted - cablesAt, acked.size(), lost.size());
            }
        }
        assertNeverBoth();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void startClient(Db db) throws IOException {
        Path out = dir.resolve("client-" + db.engine() + ".log");
        Files.deleteIfExists(out);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", net.ns("cl"), java, "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), SqlClient.class.getName(), "insert", db.url(), db.user(),
                passwordFile.toString(), "240").redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        clients.put(db.engine(), pb.start());
        clientLogs.put(db.engine(), out);
    }

    private static void stopClients() {
        for (Process p : clients.values()) {
            p.destroy();
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clients.clear();
    }

    /** @return acknowledged id to acknowledgement time (epoch ms), from the client's output */
    private static Map<Long, Long> acks(Db db) {
        Map<Long, Long> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(clientLogs.get(db.engine()), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals("ACK")) {
                    out.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not written yet
        }
        return out;
    }

    /** @return the ids the server holds now, read through the virtual address from the client namespace */
    private static Set<Long> ids(Db db) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Sh.Result r = Sh.run(Duration.ofSeconds(60), List.of("ip", "netns", "exec", net.ns("cl"), java, "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), SqlClient.class.getName(), "ids", db.url(), db.user(),
                passwordFile.toString()));
        assertThat(r.ok()).as("reading the rows through %s: %s", db.vip(), tailOf(r.output())).isTrue();
        Set<Long> ids = new TreeSet<>();
        for (String line : r.output().split("\n")) {
            if (line.startsWith("ID ")) {
                ids.add(Long.parseLong(line.substring(3).strip()));
            }
        }
        return ids;
    }

    private static String tailOf(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static void assertNeverBoth() {
        for (Db db : dbs) {
            assertThat(db.watch().overlaps()).as("sampled instants at which %s's address or disk was on both nodes",
                    db.group()).isEmpty();
        }
    }

    private static String newestPostgresBin() {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        String best = null;
        int bestVersion = -1;
        for (File v : versions == null ? new File[0] : versions) {
            if (v.getName().matches("\\d+") && new File(v, "bin/initdb").canExecute()
                    && Integer.parseInt(v.getName()) > bestVersion) {
                bestVersion = Integer.parseInt(v.getName());
                best = v.getPath() + "/bin";
            }
        }
        return best;
    }

    private static void requireTools() {
        List<String> missing = new ArrayList<>();
        if (newestPostgresBin() == null) {
            missing.add("PostgreSQL (/usr/lib/postgresql/N/bin/initdb)");
        }
        Prerequisites.requireTools("NetnsDatabaseFailoverIT",
                "network namespaces, loop devices, mounts, the servers' users",
                List.of("ip", "ss", "mkfs.ext4", "e2fsck", "losetup", "arping", "ping", "setpriv", "mariadbd",
                        "mariadb-install-db"),
                missing, "iproute2, e2fsprogs, util-linux, iputils-arping, iputils-ping, postgresql, mariadb-server; "
                        + "scripts/test.sh installs them as root");
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns-db] " + format + "%n", args);
        System.out.flush();
    }
}
