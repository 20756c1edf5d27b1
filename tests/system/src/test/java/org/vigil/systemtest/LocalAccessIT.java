package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * What a local user and a slip of the admin can do to a real node (one Karaf JVM, unpacked and started by
 * scripts/vigil-lab as an admin would):
 * <ol>
 * <li>another local user ({@code nobody}, through setpriv) reads none of etc/ and data/, finds no shutdown port, and
 * Karaf's shutdown command sent to every port the JVM listens on stops nothing;</li>
 * <li>{@code dead.time.ms = abc} written into etc/org.vigil.node.cfg of the running node: vigil:status says NOT READY
 * naming the key and the value, a group brought in does not start, and fixing the value starts it;</li>
 * <li>the node's only heartbeat path invalid ({@code bind=127.0.0.1:99999}, quorum off): NOT READY, no open heartbeat
 * path, the group does not start until the path is fixed;</li>
 * <li>bin/stop (SIGTERM, the shutdown port being off) stops the node cleanly; started again with its key file 0644
 * and {@code dead.time.ms = abc}, it says NOT READY naming the key file, its mode and the key.</li>
 * </ol>
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalAccessIT {

    private static final String NODE = "node1";
    private static final int OFFSET = 150;
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static Lab lab;
    private static Path home;
    private static int webPort;
    private static int sshPort;
    private static int udpPort;

    @BeforeAll
    static void startNode() {
        Path dist = Prerequisites.require();
        Prerequisites.requireTools("LocalAccessIT", "to act as another local user", List.of("setpriv", "ss", "bash"),
                List.of(), "util-linux, iproute2, bash");
        webPort = Prerequisites.intProperty("vigil.system.webPort", 18301) + OFFSET;
        sshPort = Prerequisites.intProperty("vigil.system.sshBase", 8301) + OFFSET;
        udpPort = Prerequisites.intProperty("vigil.system.udpBase", 7301) + OFFSET;
        lab = Lab.setUp("local-access", 1, sshPort, udpPort, dist);
        home = lab.dir().resolve(NODE);
        try {
            lab.start(NODE);
            lab.addWebGroup(NODE, "web", webPort); // brought out: nothing runs
        } catch (RuntimeException | Error e) {
            e.addSuppressed(new AssertionError("node log:\n" + lab.logTails()));
            lab.close();
            throw e;
        }
    }

    @AfterAll
    static void stopNode() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Runs a shell command as the local user nobody, from the node's home. */
    private static Sh.Result asNobody(String script, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "bash", "-c", "cd " + home + " && " + script, "nobody"));
        argv.addAll(List.of(args));
        return Sh.run(Duration.ofSeconds(20), argv);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** @return the TCP ports the node's JVM listens on */
    private static Set<Integer> listeningPorts(long pid) {
        Set<Integer> ports = new TreeSet<>();
        RestAccess.listening(pid).forEach(a -> ports.add(Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))));
        return ports;
    }

    private static void await(String what, BooleanSupplier condition) {
        RestAccess.await(what, WAIT, condition, () -> "\nvigil:status:\n" + status() + "\n" + lab.logTails());
    }

    private static String status() {
        return lab.cli(NODE, "vigil:status").output();
    }

    private static void setNodeValue(String key, String value) {
        Path cfg = home.resolve("etc/org.vigil.node.cfg");
        try {
            List<String> lines = new java.util.ArrayList<>(Files.readAllLines(cfg, StandardCharsets.UTF_8));
            lines.removeIf(l -> l.matches("\\s*" + Pattern.quote(key) + "\\s*[=:].*"));
            if (value != null) {
                lines.add(key + " = " + value);
            }
            Files.write(cfg, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Brings the group in and checks over a few seconds that it does not start. */
    private static void bringInAndSeeNothingStart(String why) {
        lab.cliOk(NODE, "vigil:bring-in web");
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            assertThat(Http.get(webPort)).as("the web service started although %s", why).isNull();
            Lab.sleep(250);
        }
    }

    private static void bringOut() {
        lab.cliOk(NODE, "vigil:bring-out web");
        await("the web service stopped", () -> Http.get(webPort) == null);
    }

    @Test
    @Order(1)
    void anotherLocalUserCanReadNoneOfTheNodesFilesNorStopIt() throws IOException {
        long pid = lab.jvmPid(NODE);
        // The trial: read the shutdown port and command, send the command (as Karaf's own bin/stop did). Then, knowing
        // the command (root reads it), send it to every TCP port the JVM listens on: only SSH, no shutdown port.
        Sh.Result trial = asNobody("cmd=$(sed -n 's/^karaf.shutdown.command *= *//p' etc/config.properties);"
                + " port=$(cat data/port); printf '%s\\n' \"$cmd\" > /dev/tcp/127.0.0.1/$port");
        String command = Files.readAllLines(home.resolve("etc/config.properties"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("karaf.shutdown.command")).map(l -> l.replaceFirst("^[^=]*=\\s*", ""))
                .findFirst().orElse("SHUTDOWN");
        Set<Integer> ports = ProcessHandle.of(pid).isPresent() ? listeningPorts(pid) : Set.of();
        for (int port : ports) {
            asNobody("printf '%s\\n' \"$1\" > /dev/tcp/127.0.0.1/$2", command, Integer.toString(port));
        }
        Lab.sleep(3000);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the node's JVM runs after nobody's attempt: %s", trial.output()).isTrue();
        assertThat(status()).contains("Vigil node " + NODE);
        assertThat(trial.ok()).as("the trial's reading: %s", trial.output()).isFalse();
        assertThat(ports).as("TCP ports of the node's JVM").containsExactly(sshPort);
        assertThat(home.resolve("data/port")).as("no shutdown port file").doesNotExist();

        for (String file : List.of("etc/config.properties", "etc/vigil-cluster.key", "data/port",
                "data/vigil/cluster.json", "data/log/karaf.log")) {
            Sh.Result r = asNobody("cat \"$1\"", file);
            assertThat(r.ok()).as("nobody reads %s: %s", file, r.output()).isFalse();
        }
        assertThat(asNobody("ls data/vigil").ok()).as("nobody lists the state directory").isFalse();
        assertThat(mode(home.resolve("etc"))).isEqualTo("rwx------");
        assertThat(mode(home.resolve("data"))).isEqualTo("rwx--x--x");
        assertThat(mode(home.resolve("data/log"))).isEqualTo("rwx------");
        assertThat(mode(home.resolve("data/vigil"))).isEqualTo("rwx--x--x");
        assertThat(mode(home.resolve("data/vigil/cluster.json"))).isEqualTo("rw-------");
        assertThat(mode(home.resolve("etc/org.vigil.node.cfg"))).isEqualTo("rw-------");
    }

    @Test
    @Order(2)
    void aBadValueOnTheRunningNodeIsShownAndStartsNothingNewUntilFixed() {
        setNodeValue("dead.time.ms", "abc");
        await("NOT READY naming dead.time.ms and abc", () -> {
            String s = status();
            return s.contains("NOT READY") && s.contains("dead.time.ms = 'abc'");
        });
        bringInAndSeeNothingStart("dead.time.ms = abc");
        assertThat(status()).contains("NOT READY");

        setNodeValue("dead.time.ms", "700");
        await("the web service started once fixed", () -> NODE.equals(Http.servedBy(webPort)));
        assertThat(status()).doesNotContain("NOT READY");
        bringOut();
    }

    @Test
    @Order(3)
    void withItsOnlyHeartbeatPathInvalidTheNodeStartsNothing() throws IOException {
        Path path = home.resolve("etc/org.vigil.path-lan.cfg");
        Files.writeString(path, "name = lan\ntype = udp\nbind = 127.0.0.1:99999\npeers = 127.0.0.1:" + (udpPort + 1) + "\n");
        await("NOT READY: no open heartbeat path", () -> {
            String s = status();
            return s.contains("NOT READY") && s.contains("no open heartbeat path") && s.contains("lan");
        });
        bringInAndSeeNothingStart("no heartbeat path is open");

        Files.writeString(path, "name = lan\ntype = udp\nbind = 127.0.0.1:" + udpPort + "\npeers = 127.0.0.1:"
                + (udpPort + 1) + "\n");
        await("the web service started once the path opened", () -> NODE.equals(Http.servedBy(webPort)));
        assertThat(status()).doesNotContain("NOT READY");
        bringOut();
    }

    @Test
    @Order(4)
    void binStopStopsTheNodeCleanlyAndAKeyFileOthersCanReadIsRefusedAtTheNextStart() throws IOException {
        long pid = lab.jvmPid(NODE);
        Sh.Result stop = Sh.run(Duration.ofSeconds(150), List.of(home.resolve("bin/stop").toString(), "120"));
        assertThat(stop.ok()).as("bin/stop: %s", stop.output()).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.readString(home.resolve("data/log/karaf.log"))).as("a clean stop")
                .contains("Vigil node " + NODE + " stopped");

        Path key = home.resolve("etc/vigil-cluster.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        setNodeValue("dead.time.ms", "abc");
        lab.start(NODE);
        String s = status();
        assertThat(s).contains("NOT READY").contains(key.toString()).contains("mode 0644").contains("0600 or 0400")
                .contains("dead.time.ms = 'abc'");
    }
}
