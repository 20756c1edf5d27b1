package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Only the JVM of the active node dies; its machine (its network namespace, its kernel state) stays up. Two real
 * nodes in namespaces ({@link NetnsTwoNodes}, the shipped defaults), group {@code svc}: one virtual address on the
 * public network, preferring node1. A watch samples, every ~50 ms, which node has the address up: never both.
 *
 * <ol>
 * <li>kill -9 of node1's JVM only (no other process of node1 is touched): the address leaves node1's interface
 * within {@link #RELEASE_LIMIT_MILLIS} (the ip agent's release guard ran its removal), node1's release log says
 * so, and node2 takes the group over with its duplicate-address check passing: it runs there and is not banned.
 * Before release guards the address stayed on node1, node2's arping -D found it and the group was banned on
 * node2.</li>
 * <li>A clean stop of node2 (SIGTERM to its JVM, as bin/stop does): node2's stop removes the address and
 * withdraws the guard, which ends: its release log records no release.</li>
 * </ol>
 */
@Steps
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class JvmDeathReleaseIT implements Steps.Diagnostics {

    /** How long the address may outlive its node's JVM: a fork and an ip addr del, under load. */
    static final long RELEASE_LIMIT_MILLIS = 2000;

    private static final String GONE = "the node process is gone";

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static NetnsNodes nodes;
    private static PlacementWatch watch;
    private static String vip;
    private static final Thread HOOK = new Thread(JvmDeathReleaseIT::tearDown, "jvm-death-release-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        Prerequisites.requireTools("JvmDeathReleaseIT", "network namespaces", List.of("ip", "arping", "kill"), List.of(),
                "iproute2, iputils-arping");
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("jvm-death-release"), 290);
            net = lab.net();
            log("namespaces %s-{n1,n2,cl,sw}: public %s.0/24, private %s.0/24", net.prefix, net.pub, net.priv);
            nodes = lab.startNodes(null);
            lab.install("vigil-resource-ip", "ip");
            vip = net.pub + ".70";
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 svc",
                    "vigil:resource-add svc svc-ip ip address=" + vip + "/24 interface=eth0"));
            watch = new PlacementWatch(net, nodes, null, Map.of("svc-ip", vip));
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 30 svc").strip().replace('\n', ' '));
        }, () -> lab, JvmDeathReleaseIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("placement watch: %s", NetnsTwoNodes.summary(watch));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /** Stops the watch, then the nodes (by recorded pid) and the namespaces ({@link NetnsTwoNodes}). */
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
    void theAddressLeavesWithTheKilledJvmAndTheOtherNodeTakesOverUnbanned() throws IOException {
        assertThat(watch.where("svc-ip")).as("nodes with svc's address up").containsExactly("node1");
        assertThat(onEth0("node1")).isTrue();

        String killed = nodes.ok(Duration.ofSeconds(30), "kill-jvm", nodes.dir().toString(), "node1").strip();
        Matcher km = Pattern.compile("kill_ms=(\\d+)").matcher(killed);
        assertThat(km.find()).as("kill-jvm output: %s", killed).isTrue();
        long killAt = Long.parseLong(km.group(1));
        log("%s", killed);

        long goneAt = -1;
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            if (!onEth0("node1")) {
                goneAt = System.currentTimeMillis();
                break;
            }
            Lab.sleep(10);
        }
        assertThat(goneAt).as("%s leaves node1's eth0 after only its JVM was killed (kernel state released)", vip)
                .isPositive();
        log("the address left node1 %d ms after its JVM was killed", goneAt - killAt);
        assertThat(goneAt - killAt).as("ms the address outlived node1's JVM").isLessThanOrEqualTo(RELEASE_LIMIT_MILLIS);
        assertThat(releaseLog("node1")).as("node1's release log").contains(GONE).contains("release ended, exit 0");

        long started = nodes.awaitLog("node2", "started svc-ip (group svc)", killAt, Duration.ofSeconds(30));
        assertThat(started).as("node2 took svc over (its duplicate-address check passed)").isPositive();
        log("node2 started svc-ip %d ms after node1's JVM was killed", started - killAt);
        Lab.sleep(1000);
        assertThat(watch.where("svc-ip")).containsExactly("node2");
        String status = nodes.cliOk("node2", "vigil:status");
        assertThat(status).as("node2's status").doesNotContain("BANNED").doesNotContain("already in use");
        assertNeverBoth();
    }

    @Test
    @Order(2)
    void aCleanStopRemovesTheAddressByItsStopAndReleasesNothing() throws IOException {
        assertThat(watch.where("svc-ip")).containsExactly("node2");
        long jvm = nodes.jvmPid("node2");
        assertThat(jvm).isPositive();
        List<ProcessHandle> guards = ProcessHandle.of(jvm).orElseThrow().children()
                .filter(JvmDeathReleaseIT::isGuard).toList();
        assertThat(guards).as("node2's release guards (svc-ip's address)").hasSize(1);

        // what bin/stop does: SIGTERM to the node's JVM; Karaf stops Vigil, which stops its groups first
        long t0 = System.currentTimeMillis();
        Sh.ok("kill", "-TERM", Long.toString(jvm));
        assertThat(awaitGone(List.of(ProcessHandle.of(jvm).orElseThrow()), Duration.ofSeconds(60)))
                .as("node2's JVM ends after SIGTERM").isTrue();
        assertThat(awaitGone(guards, Duration.ofSeconds(10))).as("node2's guard ends").isTrue();
        log("node2 stopped cleanly in %d ms", System.currentTimeMillis() - t0);

        assertThat(nodes.logTime("node2", "stopped svc-ip (group svc)", t0)).as("node2's stop removed it").isPositive();
        assertThat(onEth0("node2")).as("%s on node2 after its clean stop", vip).isFalse();
        assertThat(releaseLog("node2")).as("node2's release log after a clean stop").doesNotContain(GONE);
        assertNeverBoth();
    }

    private static boolean isGuard(ProcessHandle h) {
        try {
            String[] argv = new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).split("\0");
            return argv.length > 3 && argv[3].equals("vigil-guard");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean awaitGone(List<ProcessHandle> processes, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(JvmDeathReleaseIT::exists) && System.nanoTime() < end) {
            Lab.sleep(50);
        }
        return processes.stream().noneMatch(JvmDeathReleaseIT::exists);
    }

    /** @return true while the process exists and is not a zombie (orphans may stay unreaped here) */
    private static boolean exists(ProcessHandle h) {
        try {
            String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
            int paren = stat.lastIndexOf(')');
            return paren > 0 && "ZX".indexOf(stat.charAt(paren + 2)) < 0;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** @return true when the address is configured on the node's eth0 (up or not: kernel state) */
    private static boolean onEth0(String node) {
        Sh.Result r = Sh.run(Duration.ofSeconds(5), List.of("ip", "-n", net.nodeNs(node), "-4", "-o", "addr", "show",
                "dev", "eth0"), Map.of());
        assertThat(r.ok()).as("ip addr show in %s: %s", node, r.output()).isTrue();
        return r.output().contains(" " + vip + "/");
    }

    /** @return the node's release log of svc-ip ("" when none was written) */
    private static String releaseLog(String node) throws IOException {
        Path log = nodes.dir().resolve(node).resolve("data/vigil/resources/svc-ip/release-address.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static void assertNeverBoth() {
        assertThat(watch.overlaps()).as("sampled instants at which the address was on both nodes").isEmpty();
    }

    static void log(String format, Object... args) {
        System.out.printf("[jvm-death-release] " + format + "%n", args);
        System.out.flush();
    }
}
