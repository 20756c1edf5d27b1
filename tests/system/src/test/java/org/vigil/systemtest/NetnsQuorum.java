package org.vigil.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the two-node namespace tests with quorum on share ({@link NetnsBackToBackIT}, {@link NetnsLeaseIT},
 * {@link NetnsSwitchoverIT}, {@link NetnsQuorumIT}, ...), on top of a {@link NetnsTwoNodes} lab: the ping
 * tie-breaker's settings; a second back-to-back heartbeat cable ({@code hb2}: eth2, a veth pair between the nodes in
 * the third TEST-NET range) beside the private network ({@code hb1}: eth1), with nodes whose heartbeats run on those
 * two cables only; a power loss and a power-on that include that cable; waiting for a node's status. The cable lives
 * in the nodes' namespaces, so the lab's {@link NetnsTwoNodes#close()} removes it with them.
 */
final class NetnsQuorum {

    /** How long a node's status may take to show what a test waits for. */
    static final Duration STATUS_WAIT = Duration.ofSeconds(30);

    private final NetnsTwoNodes lab;
    private final NetnsTopology net;
    private final String hb2Net;

    NetnsQuorum(NetnsTwoNodes lab) {
        this.lab = lab;
        this.net = lab.net();
        this.hb2Net = List.of("198.51.100", "203.0.113", "192.0.2").stream()
                .filter(n -> !n.equals(net.pub) && !n.equals(net.priv)).findFirst().orElseThrow();
    }

    /** @return the second cable's network, e.g. "192.0.2" (its /24) */
    String hb2Net() {
        return hb2Net;
    }

    /** @return node1's or node2's address on the second back-to-back cable */
    String hb2Address(String node) {
        return hb2Net + (node.equals("node1") ? ".1" : ".2");
    }

    /**
     * @param net  the lab's namespaces
     * @param more further lines (quorum.tiebreaker.winner = node1, dead.time.ms = 600, ...)
     * @return lines to append to etc/org.vigil.node.cfg: quorum on with both nodes as members, the ping tie-breaker
     *         aiming at the client with each node's public address as its peer address, then {@code more}
     */
    static String pingTieBreaker(NetnsTopology net, String... more) {
        List<String> lines = new ArrayList<>(List.of("",
                "cluster.nodes = node1, node2",
                "quorum.tiebreaker = ping",
                "quorum.ping.targets = " + net.clientAddress(),
                "quorum.ping.peers = node1=" + net.pubAddress("node1") + ", node2=" + net.pubAddress("node2")));
        lines.addAll(Arrays.asList(more));
        lines.add("");
        return String.join("\n", lines);
    }

    /**
     * Cables {@code hb2} (checked with a ping), then sets up node1 and node2 in their namespaces with heartbeat paths
     * on the two back-to-back cables only ({@code hb1} on eth1, {@code hb2} on eth2), none on the public network
     * ({@link NetnsTwoNodes#setUpNodes}). The nodes are not started.
     */
    NetnsNodes backToBackNodes() {
        Sh.ok("ip", "-n", net.nodeNs("node1"), "link", "add", "eth2", "type", "veth", "peer", "name", "eth2", "netns",
                net.nodeNs("node2"));
        for (String n : List.of("node1", "node2")) {
            Sh.ok("ip", "-n", net.nodeNs(n), "addr", "add", hb2Address(n) + "/24", "dev", "eth2");
            Sh.ok("ip", "-n", net.nodeNs(n), "link", "set", "eth2", "up");
        }
        Sh.Result r = Sh.run("ip", "netns", "exec", net.nodeNs("node1"), "ping", "-c", "1", "-W", "2",
                hb2Address("node2"));
        if (!r.ok()) {
            throw new IllegalStateException("the second back-to-back cable does not work: " + r.output());
        }
        return lab.setUpNodes("hb1=" + net.privAddress("node1") + "," + net.privAddress("node2") + " hb2="
                + hb2Address("node1") + "," + hb2Address("node2"));
    }

    /** Appends {@code text} to node1's and node2's etc/org.vigil.node.cfg (a running node applies it at once). */
    void appendNodeConfig(String text) throws IOException {
        for (String n : List.of("node1", "node2")) {
            Files.writeString(lab.dir().resolve(n).resolve("etc/org.vigil.node.cfg"), text, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        }
    }

    /** Power loss with the second cable: every link of the node goes down inside its namespace, in one ip call. */
    void pullAllCables(String node) {
        net.ipBatch(node, "link set eth0 down\nlink set eth1 down\nlink set eth2 down\n");
    }

    /** Power on with the second cable: boot addresses only, every cable plugged back in. */
    void powerOn(String node) {
        net.powerOn(node);
        String ns = net.nodeNs(node);
        Sh.ok("ip", "-n", ns, "addr", "flush", "dev", "eth2");
        Sh.ok("ip", "-n", ns, "addr", "add", hb2Address(node) + "/24", "dev", "eth2");
        Sh.ok("ip", "-n", ns, "link", "set", "eth2", "up");
    }

    /** @return the node's {@code vigil:status} */
    String status(String node) {
        return lab.nodes().cli(node, "vigil:status").output();
    }

    /** Waits up to {@link #STATUS_WAIT} until the node's {@code command} prints what matches every pattern. */
    String awaitOutput(String node, String command, Pattern... patterns) {
        long end = System.nanoTime() + STATUS_WAIT.toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = lab.nodes().cli(node, command).output();
            boolean all = true;
            for (Pattern p : patterns) {
                all &= p.matcher(out).find();
            }
            if (all) {
                return out;
            }
            Lab.sleep(300);
        }
        throw new AssertionError(node + ": '" + command + "' does not match " + List.of(patterns) + " after "
                + STATUS_WAIT.toSeconds() + " s:\n" + out);
    }

    /** Waits up to {@link #STATUS_WAIT} until the node's status matches every pattern. @return that status */
    String awaitStatus(String node, Pattern... patterns) {
        return awaitOutput(node, "vigil:status", patterns);
    }

    /** Waits up to {@link #STATUS_WAIT} until the node has quorum with both votes. */
    void awaitQuorum(String node) {
        awaitStatus(node, Pattern.compile(Pattern.quote("Quorum: HAS QUORUM (2 of 2 votes")));
    }

    /** Waits up to {@link #STATUS_WAIT} until the node sees the peer online on both back-to-back cables. */
    void awaitOnlineOnBothCables(String node, String peer) {
        awaitStatus(node, Pattern.compile("(?m)^\\s+" + Pattern.quote(peer) + "\\s+online\\b.*hb1 up.*hb2 up"));
    }
}
