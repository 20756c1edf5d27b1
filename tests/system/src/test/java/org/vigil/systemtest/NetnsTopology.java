package org.vigil.systemtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two machines (node1, node2) and a client, each a network namespace, cabled as:
 *
 * <pre>
 *   PREFIX-n1 eth0 ──┐                      public network PUB.0/24 (a bridge br0 in PREFIX-sw)
 *   PREFIX-n2 eth0 ──┼── br0 (PREFIX-sw)    node1 PUB.11, node2 PUB.12, client PUB.100
 *   PREFIX-cl eth0 ──┘
 *   PREFIX-n1 eth1 ───── PREFIX-n2 eth1     private network PRIV.0/24 (a veth pair): node1 PRIV.1, node2 PRIV.2
 * </pre>
 *
 * Only TEST-NET addresses, only inside these namespaces: the root namespace is never touched. The prefix is
 * {@code vnf<pid of the test JVM>}, so a later run removes what a killed run left ({@link #sweepLeftovers}).
 * {@link #close()} deletes the namespaces, which removes every interface, address and the bridge with them.
 */
final class NetnsTopology implements AutoCloseable {

    private static final Pattern OURS = Pattern.compile("vnf(\\d+)-(n1|n2|cl|sw)");

    final String prefix = "vnf" + ProcessHandle.current().pid();
    final String pub;
    final String priv;
    private final List<String> made = new ArrayList<>();

    private NetnsTopology(String pub, String priv) {
        this.pub = pub;
        this.priv = priv;
    }

    /** Builds the namespaces and the cables; on failure removes what it made. */
    static NetnsTopology create() {
        sweepLeftovers();
        String[] nets = pickNets();
        NetnsTopology t = new NetnsTopology(nets[0], nets[1]);
        try {
            t.build();
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
        return t;
    }

    String ns(String host) {
        return prefix + "-" + host;
    }

    /** @return node1's or node2's address on the public network */
    String pubAddress(String node) {
        return pub + (node.equals("node1") ? ".11" : ".12");
    }

    String privAddress(String node) {
        return priv + (node.equals("node1") ? ".1" : ".2");
    }

    String nodeNs(String node) {
        return ns(node.equals("node1") ? "n1" : "n2");
    }

    private void build() {
        for (String h : List.of("sw", "n1", "n2", "cl")) {
            made.add(ns(h));
            Sh.ok("ip", "netns", "add", ns(h));
            Sh.ok("ip", "-n", ns(h), "link", "set", "lo", "up");
        }
        String sw = ns("sw");
        Sh.ok("ip", "-n", sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        Sh.ok("ip", "-n", sw, "link", "set", "br0", "up");
        for (String[] port : List.of(new String[] {"p1", "n1", pub + ".11"}, new String[] {"p2", "n2", pub + ".12"},
                new String[] {"pc", "cl", pub + ".100"})) {
            Sh.ok("ip", "-n", sw, "link", "add", port[0], "type", "veth", "peer", "name", "eth0", "netns", ns(port[1]));
            Sh.ok("ip", "-n", sw, "link", "set", port[0], "master", "br0", "up");
            Sh.ok("ip", "-n", ns(port[1]), "addr", "add", port[2] + "/24", "dev", "eth0");
            Sh.ok("ip", "-n", ns(port[1]), "link", "set", "eth0", "up");
        }
        Sh.ok("ip", "-n", ns("n1"), "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", ns("n2"));
        Sh.ok("ip", "-n", ns("n1"), "addr", "add", priv + ".1/24", "dev", "eth1");
        Sh.ok("ip", "-n", ns("n2"), "addr", "add", priv + ".2/24", "dev", "eth1");
        Sh.ok("ip", "-n", ns("n1"), "link", "set", "eth1", "up");
        Sh.ok("ip", "-n", ns("n2"), "link", "set", "eth1", "up");
        // cabled: each side answers on both networks
        for (String target : List.of(pub + ".12", priv + ".2", pub + ".100")) {
            Sh.Result r = Sh.run("ip", "netns", "exec", ns("n1"), "ping", "-c", "1", "-W", "2", target);
            if (!r.ok()) {
                throw new IllegalStateException("the lab network does not work: node1 cannot reach " + target + ": "
                        + r.output());
            }
        }
    }

    /**
     * Pulls every cable of the node: its eth0 and eth1 go down inside its namespace, in one ip call (a batch).
     *
     * @return when the ip call ended (epoch ms)
     */
    long pullCables(String node) {
        ipBatch(node, "link set eth0 down\nlink set eth1 down\n");
        return System.currentTimeMillis();
    }

    /** Runs {@code commands} (ip commands, one a line, without "ip") in the node's namespace in one ip call. */
    void ipBatch(String node, String commands) {
        java.nio.file.Path batch = null;
        try {
            batch = java.nio.file.Files.createTempFile("vnf-batch", ".ip");
            java.nio.file.Files.writeString(batch, commands);
            Sh.ok("ip", "-n", nodeNs(node), "-batch", batch.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (batch != null) {
                batch.toFile().delete();
            }
        }
    }

    /**
     * Powers the node's machine on again: like a reboot, its interfaces carry their boot addresses only (the
     * virtual addresses it held before the power loss are gone), then its cables are plugged back in.
     */
    void powerOn(String node) {
        String ns = nodeNs(node);
        Sh.ok("ip", "-n", ns, "addr", "flush", "dev", "eth0");
        Sh.ok("ip", "-n", ns, "addr", "flush", "dev", "eth1");
        Sh.ok("ip", "-n", ns, "addr", "add", pubAddress(node) + "/24", "dev", "eth0");
        Sh.ok("ip", "-n", ns, "addr", "add", privAddress(node) + "/24", "dev", "eth1");
        Sh.ok("ip", "-n", ns, "link", "set", "eth0", "up");
        Sh.ok("ip", "-n", ns, "link", "set", "eth1", "up");
    }

    /** @return the client's address on the public network */
    String clientAddress() {
        return pub + ".100";
    }

    /** The node's port on the public bridge (in the switch namespace). */
    private String switchPort(String node) {
        return node.equals("node1") ? "p1" : "p2";
    }

    /** Pulls the node's public cable at the switch: its bridge port goes down, so the node's eth0 loses its carrier. */
    void pullPublicCable(String node) {
        Sh.ok("ip", "-n", ns("sw"), "link", "set", switchPort(node), "down");
    }

    /** Plugs the node's public cable back in at the switch. */
    void plugPublicCable(String node) {
        Sh.ok("ip", "-n", ns("sw"), "link", "set", switchPort(node), "up");
    }

    /**
     * Cuts the node's public network beyond its link: its port leaves the bridge, so its eth0 keeps its carrier but
     * nothing it sends reaches the client or the other node (a dead uplink, a switch port in the wrong VLAN).
     */
    void detachFromSwitch(String node) {
        Sh.ok("ip", "-n", ns("sw"), "link", "set", switchPort(node), "nomaster");
    }

    /** Puts the node's port back into the public bridge. */
    void attachToSwitch(String node) {
        Sh.ok("ip", "-n", ns("sw"), "link", "set", switchPort(node), "master", "br0", "up");
    }

    /** Pulls the private cable between the nodes (node1's eth1 goes down; node2's loses its carrier). */
    void pullPrivateCable() {
        Sh.ok("ip", "-n", ns("n1"), "link", "set", "eth1", "down");
    }

    /** Plugs the private cable back in. */
    void plugPrivateCable() {
        Sh.ok("ip", "-n", ns("n1"), "link", "set", "eth1", "up");
    }

    /** @return the IPv4 addresses configured on interfaces that are up in the namespace (no prefix) */
    Set<String> addressesUp(String ns) {
        Sh.Result r = Sh.run("ip", "-n", ns, "-o", "-4", "addr", "show", "up");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\\binet\\s+([0-9.]+)/").matcher(r.output());
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** @return the MAC address of the interface in the namespace, lower case */
    String mac(String ns, String dev) {
        Matcher m = Pattern.compile("link/ether\\s+(\\S+)").matcher(Sh.ok("ip", "-n", ns, "-o", "link", "show", "dev", dev));
        if (!m.find()) {
            throw new IllegalStateException("no MAC address on " + dev + " in " + ns);
        }
        return m.group(1).toLowerCase();
    }

    /** @return the MAC the client's neighbour table holds for the address (any state but FAILED/INCOMPLETE) */
    Optional<String> clientNeighbour(String ip) {
        Matcher m = Pattern.compile("lladdr\\s+(\\S+)").matcher(Sh.run("ip", "-n", ns("cl"), "neigh", "show", ip,
                "dev", "eth0").output());
        return m.find() ? Optional.of(m.group(1).toLowerCase()) : Optional.empty();
    }

    String clientNeighbourLine(String ip) {
        return Sh.run("ip", "-n", ns("cl"), "neigh", "show", ip, "dev", "eth0").output().strip();
    }

    /** One GET from the client, at most 1 s. @return the body, or null when nothing answered 200 */
    String clientGet(String url) {
        Sh.Result r = Sh.run(java.time.Duration.ofSeconds(5), List.of("ip", "netns", "exec", ns("cl"), "curl", "-s",
                "-f", "--max-time", "1", url));
        return r.ok() ? r.output() : null;
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        for (int i = made.size() - 1; i >= 0; i--) {
            String ns = made.get(i);
            Sh.Result r = Sh.run("ip", "netns", "del", ns);
            if (!r.ok() && Sh.run("ip", "netns", "list").output().contains(ns + " ")) {
                problems.add("ip netns del " + ns + ": " + r.output().strip());
            }
        }
        made.clear();
        if (!problems.isEmpty()) {
            System.err.println("[system] netns lab " + prefix + " not fully removed: " + problems);
        }
    }

    /** Deletes namespaces a killed run left (named vnf<pid>-..., that pid no longer alive). */
    static void sweepLeftovers() {
        for (String line : Sh.run("ip", "netns", "list").output().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            Matcher m = OURS.matcher(name);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                Sh.run("ip", "netns", "del", name);
            }
        }
    }

    /** Two TEST-NET /24s that no route of the root namespace uses (this machine's eth0 may use one). */
    private static String[] pickNets() {
        String routes = Sh.run("ip", "-o", "-4", "route", "show", "table", "all").output();
        List<String> free = new ArrayList<>();
        for (String net : List.of("198.51.100", "203.0.113", "192.0.2")) {
            if (!routes.contains(net + ".")) {
                free.add(net);
            }
        }
        // the namespaces are isolated from the root namespace: a used range still works there, it is only clearer
        for (String net : List.of("198.51.100", "203.0.113", "192.0.2")) {
            if (!free.contains(net)) {
                free.add(net);
            }
        }
        return new String[] {free.get(0), free.get(1)};
    }
}
