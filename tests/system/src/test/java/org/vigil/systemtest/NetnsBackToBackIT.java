package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The survivor of a power loss when the heartbeats run only on back-to-back cables (issue 11): two real nodes in
 * network namespaces ({@link NetnsTopology}) whose public network (a bridge in its own namespace, with the client)
 * carries no heartbeat; heartbeat paths {@code hb1} (eth1) and {@code hb2} (eth2, a second veth pair added here) are
 * veth pairs cabled directly between the nodes, as two machines with crossover cables. When one node loses power its
 * ends of those cables go dark, so the survivor's ends lose their carrier and both its paths are {@code link-down}: no
 * configuration problem, the survivor must stay ready and take over. Group {@code b2b} is a virtual address on the
 * public network with a web root (nginx) behind it. A {@link PlacementWatch} samples every ~50 ms which node has the
 * address up: never both.
 *
 * <ol>
 * <li>Quorum off. node1 (running {@code b2b}) loses power: its cables are pulled (all its links down inside its
 * namespace), then {@code vigil-lab crash}. node2's status shows both paths {@code link-down}, is not NOT READY, and
 * node2 runs the group: the address up in its namespace and the page served to the client, within 30 s.</li>
 * <li>node1 is powered on and started again; quorum is switched on at runtime on both nodes ({@code cluster.nodes},
 * the ping tie-breaker aiming at the client, each node's public address as its peer address). node2, now running the
 * group, loses power: node1 (paths {@code link-down}, 1 of 2 votes, the ping tie-breaker choosing its side: it
 * reaches the target) takes the group over within 30 s (node2's lease promise has passed: no self-fencing bound).</li>
 * </ol>
 */
@Steps
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class NetnsBackToBackIT implements Steps.Diagnostics {

    static final int PORT_OFFSET = 300;
    static final Duration TAKEOVER = Duration.ofSeconds(30);

    private static NetnsTwoNodes lab;
    private static NetnsTopology net;
    private static NetnsNodes nodes;
    private static NetnsQuorum quorum;
    private static PlacementWatch watch;
    private static String vip;
    private static String page;
    private static final Thread HOOK = new Thread(NetnsBackToBackIT::tearDown, "netns-back-to-back-down");

    @BeforeAll
    static void setUp() {
        Path dist = Prerequisites.require();
        Prerequisites.requireTools("NetnsBackToBackIT", "network namespaces",
                List.of("ip", "arping", "ping", "nginx", "curl"), List.of(),
                "iproute2, iputils-arping, iputils-ping, nginx, curl");
        Runtime.getRuntime().addShutdownHook(HOOK);
        NetnsTwoNodes.setUp(() -> {
            lab = NetnsTwoNodes.create(dist, Prerequisites.labsDir().resolve("netns-back-to-back"), PORT_OFFSET);
            net = lab.net();
            quorum = new NetnsQuorum(lab);
            nodes = quorum.backToBackNodes();
            log("namespaces %s-{n1,n2,cl,sw}: public %s.0/24 (no heartbeats), back-to-back hb1 %s.0/24 (eth1), "
                    + "hb2 %s.0/24 (eth2)", net.prefix, net.pub, net.priv, quorum.hb2Net());
            assertThat(lab.dir().resolve("node1/etc/org.vigil.path-pub.cfg"))
                    .as("no heartbeat path on the public network")
                    .doesNotExist();
            nodes.start("node1", "node2");
            quorum.awaitOnlineOnBothCables("node1", "node2");
            quorum.awaitOnlineOnBothCables("node2", "node1");
            log("node1 and node2 see each other on hb1 and hb2 only after %d ms", lab.elapsedMillis());
            lab.install("vigil-resource-ip vigil-resource-webroot", "ip", "webroot");

            Path htdocs = lab.dir().resolve("htdocs");
            Files.createDirectories(htdocs);
            page = "back-to-back lab " + net.prefix + "\n";
            Files.writeString(htdocs.resolve("index.html"), page);
            vip = net.pub + ".70";
            nodes.cliOk("node1", String.join("\n",
                    "vigil:group-add --stopped --preferred node1,node2 b2b",
                    "vigil:resource-add b2b b2b-ip ip address=" + vip + "/24 interface=eth0",
                    "vigil:resource-add b2b b2b-web webroot root=" + htdocs + " listen=" + vip + ":80"));
            watch = new PlacementWatch(net, nodes, null, Map.of("b2b-ip", vip));
            log("%s", nodes.cliOk("node1", "vigil:bring-in --wait 30 b2b").strip().replace('\n', ' '));
        }, () -> lab, NetnsBackToBackIT::tearDown);
    }

    @AfterAll
    static void afterAll() {
        if (watch != null) {
            log("placement watch: %s", NetnsTwoNodes.summary(watch));
        }
        tearDown();
        NetnsTwoNodes.removeShutdownHook(HOOK);
    }

    /** Stops the watch, the nodes (by recorded pid), then deletes the namespaces with every cable in them. */
    static synchronized void tearDown() {
        if (watch != null) {
            watch.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    public void stepFailed(String step) {
        if (nodes != null) {
            for (String n : List.of("node1", "node2")) {
                if (nodes.jvmPid(n) > 0) {
                    log("step '%s' failed; %s's status:%n%s", step, n, quorum.status(n));
                }
            }
            log("node logs:%n%s", nodes.logTails());
        }
    }

    @Test
    @Order(1)
    void withQuorumOffTheSurvivorOfAPowerLossOnBackToBackCablesTakesOver() {
        assertThat(watch.where("b2b-ip")).containsExactly("node1");
        assertThat(clientGet()).as("the page through the address, served by node1").isEqualTo(page);
        powerLossAndTakeover("node1", "node2");
    }

    @Test
    @Order(2)
    void withQuorumOnAndThePingTieBreakerTheSurvivorTakesOver() throws IOException {
        quorum.powerOn("node1");
        nodes.start("node1");
        quorum.awaitOnlineOnBothCables("node1", "node2");
        quorum.awaitOnlineOnBothCables("node2", "node1");
        quorum.appendNodeConfig(NetnsQuorum.pingTieBreaker(net)); // applies at once (etc/README.md)
        quorum.awaitQuorum("node1");
        quorum.awaitQuorum("node2");
        assertThat(watch.where("b2b-ip")).as("the group stayed on node2 (no failback)").containsExactly("node2");
        powerLossAndTakeover("node2", "node1");
        assertThat(quorum.status("node1")).contains("HAS QUORUM").contains("ping tie-breaker chose this side");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * {@code victim} runs the group and loses power; {@code survivor} must see its back-to-back paths go link-down,
     * stay ready and run the group within {@link #TAKEOVER}, never both at once.
     */
    private static void powerLossAndTakeover(String victim, String survivor) {
        assertThat(watch.where("b2b-ip")).containsExactly(victim);
        long t0 = System.currentTimeMillis();
        quorum.pullAllCables(victim);
        log("%s", nodes.crash(victim));

        String paths = quorum.awaitStatus(survivor, Pattern.compile("(?m)^\\s+hb1\\s+udp\\s+link-down\\b"),
                Pattern.compile("(?m)^\\s+hb2\\s+udp\\s+link-down\\b"));
        log("%s's status %d ms after the power loss of %s:%n%s", survivor, System.currentTimeMillis() - t0, victim,
                paths);
        assertThat(paths).as("%s's status with both back-to-back paths link-down", survivor)
                .doesNotContain("NOT READY");

        long end = System.nanoTime() + TAKEOVER.toNanos();
        long served = -1;
        while (System.nanoTime() < end && served < 0) {
            if (watch.where("b2b-ip").equals(Set.of(survivor)) && page.equals(clientGet())) {
                served = System.currentTimeMillis();
            } else {
                Lab.sleep(100);
            }
        }
        String after = quorum.status(survivor);
        long up = watch.changes().stream()
                .filter(c -> c.atMillis() > t0 && c.state().get("b2b-ip").equals(Set.of(survivor)))
                .mapToLong(c -> c.atMillis()).findFirst().orElse(-1);
        log("power loss of %s at %d: %s has the address +%d ms (sampled), the client gets the page +%d ms", victim, t0,
                survivor, up < 0 ? -1 : up - t0, served < 0 ? -1 : served - t0);
        assertThat(up)
                .as("%s has the address up within %d s of %s's power loss", survivor, TAKEOVER.toSeconds(), victim)
                .isPositive();
        assertThat(served).as("the client gets the page through %s from %s within %d s", vip, survivor,
                TAKEOVER.toSeconds()).isPositive();
        assertThat(after).as("%s's status after the takeover", survivor).doesNotContain("NOT READY");
        assertThat(Sh.run("ip", "netns", "exec", net.ns("cl"), "ping", "-c", "1", "-W", "2", vip).ok())
                .as("the client pings %s", vip).isTrue();
        assertThat(watch.placementsSince("b2b-ip", t0)).as("where the address was since the power loss").last()
                .isEqualTo(Set.of(survivor));
        assertThat(watch.overlaps()).as("sampled instants at which the address was up on both nodes").isEmpty();
    }

    private static String clientGet() {
        return net.clientGet("http://" + vip + "/");
    }

    static void log(String format, Object... args) {
        System.out.printf("[netns-back-to-back] " + format + "%n", args);
        System.out.flush();
    }
}
