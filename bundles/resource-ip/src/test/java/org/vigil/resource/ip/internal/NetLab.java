package org.vigil.resource.ip.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.vigil.api.resource.CommandResult;
import org.vigil.core.internal.exec.CommandRunner;

/**
 * A small real network for one test: a switch (a bridge in its own network namespace), the node's side as a
 * veth end in the test JVM's own (root) namespace, where the agent under test manages addresses, and other
 * hosts (a client, a host that already owns an address, a DNS server) in namespaces of their own, cabled to
 * the switch.
 *
 * <pre>
 *   root namespace (the "node")      namespace -sw            namespace -client / -peer / ...
 *   vgt&lt;pid&gt;x&lt;n&gt;a  ------veth------  n0 ┐
 *                                     br0
 *                                     h1 ┘ ------veth------  eth0
 * </pre>
 *
 * <p>Only documentation addresses are used: a /28 block of a TEST-NET /24 that no route of the root namespace
 * touches (this machine's own network may be one of them), and a random /64 of 2001:db8::/32. Every name
 * starts with {@code vgt<pid>x}, so that a later run can remove what a killed run left behind (only when that
 * pid is dead). Everything made is removed when the test ends, also when it fails (registered as a JUnit
 * extension, this runs after the test's and its superclasses' {@code @AfterEach} methods). Every command
 * is bounded in time. Existing interfaces are never touched.
 */
final class NetLab implements AfterEachCallback, AutoCloseable {

    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern OURS = Pattern.compile("vgt(\\d+)x\\d+.*");
    private static final String[] TEST_NETS = {"198.51.100", "203.0.113", "192.0.2"};

    private final String id = "vgt" + ProcessHandle.current().pid() + "x" + LABS.incrementAndGet();
    private final Deque<String> namespaces = new ArrayDeque<>();
    private final Deque<String> links = new ArrayDeque<>();
    private final List<Process> processes = new ArrayList<>();
    private final Random random = new Random();
    private int hosts;
    private String switchNs;
    private String v4Net;
    private int v4Base;
    private String v6Net;

    /**
     * Skips the test with a clear reason when it cannot run here (not root, a tool missing), or fails it when
     * {@code CI=true}: there the environment is part of what is tested.
     *
     * @param tools programs the test needs
     */
    static void requireEnvironment(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!"0".equals(run(List.of("id", "-u")).stdout().strip())) {
            missing.add("root (network namespaces and addresses)");
        }
        Tools finder = new Tools(null);
        for (String t : tools) {
            if (finder.find(t).isEmpty()) {
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "needs " + String.join(", ", missing) + " (scripts/test.sh installs the packages as root)";
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true and this test cannot run: " + reason);
        }
        Assumptions.assumeTrue(false, reason);
    }

    /** Builds the switch and the node's interface. */
    NetLab start() {
        sweepLeftovers();
        pickAddresses();
        switchNs = addNamespace("sw");
        sh(List.of("ip", "-n", switchNs, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0"));
        sh(List.of("ip", "-n", switchNs, "link", "set", "br0", "up"));
        links.push(nodeIf());
        sh(List.of("ip", "link", "add", nodeIf(), "type", "veth", "peer", "name", "n0", "netns", switchNs));
        sh(List.of("ip", "-n", switchNs, "link", "set", "n0", "master", "br0", "up"));
        sh(List.of("ip", "link", "set", nodeIf(), "up"));
        return this;
    }

    /** @return the node's interface, in the test JVM's namespace, cabled to the switch */
    String nodeIf() {
        return id + "a";
    }

    /** @return the node interface's MAC address, lower case */
    String nodeMac() {
        return mac(null, nodeIf());
    }

    /** @param host 1..14; @return that IPv4 address of the lab's /28 */
    String v4(int host) {
        if (host < 1 || host > 14) {
            throw new IllegalArgumentException("host " + host);
        }
        return v4Net + "." + (v4Base + host);
    }

    /** @return the prefix length of the lab's IPv4 block */
    int v4Prefix() {
        return 28;
    }

    /** @param host a host number; @return that IPv6 address of the lab's /64 */
    String v6(int host) {
        return v6Net + "::" + Integer.toHexString(host);
    }

    /** Pulls the node's cable: the switch side goes down, the node's interface loses its carrier. */
    void cutCable() {
        sh(List.of("ip", "-n", switchNs, "link", "set", "n0", "down"));
    }

    /** Plugs the node's cable back in. */
    void restoreCable() {
        sh(List.of("ip", "-n", switchNs, "link", "set", "n0", "up"));
    }

    /**
     * Adds a host cabled to the switch.
     *
     * @param role a short name, part of its namespace's name
     * @return the host
     */
    Host addHost(String role) {
        String ns = addNamespace(role);
        String port = "h" + (++hosts);
        sh(List.of("ip", "-n", switchNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns));
        sh(List.of("ip", "-n", switchNs, "link", "set", port, "master", "br0", "up"));
        sh(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        sh(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
        return new Host(ns);
    }

    /** A host in its own namespace; its interface is eth0. */
    final class Host {
        private final String ns;

        Host(String ns) {
            this.ns = ns;
        }

        /** @return the namespace's name */
        String namespace() {
            return ns;
        }

        /** @param cidr an address with prefix, added at once (IPv6 without DAD) */
        Host addAddress(String cidr) {
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0"));
            if (cidr.contains(":")) {
                cmd.add("nodad");
            }
            sh(cmd);
            return this;
        }

        /** @return eth0's MAC address, lower case */
        String mac() {
            return NetLab.mac(ns, "eth0");
        }

        /** @param command a command run in the namespace; @return its outcome (bounded in time) */
        CommandResult exec(String... command) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            cmd.addAll(List.of(command));
            return run(cmd);
        }

        /** @param ip an address; @return the MAC the host's neighbour table has for it on eth0, if any */
        Optional<String> neighbour(String ip) {
            String out = exec("ip", "neigh", "show", ip, "dev", "eth0").stdout();
            Matcher m = Pattern.compile("lladdr\\s+(\\S+)").matcher(out);
            return m.find() ? Optional.of(m.group(1).toLowerCase()) : Optional.empty();
        }

        /**
         * Starts a long-running program in the namespace; it is killed when the lab closes.
         *
         * @param log where its output goes
         * @param command the program
         * @return the process
         */
        Process spawn(Path log, String... command) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            cmd.addAll(List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(new File("/dev/null")).start();
            processes.add(p);
            return p;
        }
    }

    /** @return what ip shows for addresses on the node's interface */
    String nodeAddresses() {
        return sh(List.of("ip", "-o", "addr", "show", "dev", nodeIf())).stdout();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Removes everything this lab made: programs, namespaces (with their veth ends), root-namespace links. */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    problems.add("process " + p.pid() + " did not end");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        while (!links.isEmpty()) {
            String link = links.pop();
            if (exists(link)) {
                CommandResult r = run(List.of("ip", "link", "del", link));
                if (!r.succeeded() && exists(link)) {
                    problems.add("ip link del " + link + ": " + r.describeFailure());
                }
            }
        }
        while (!namespaces.isEmpty()) {
            String ns = namespaces.pop();
            CommandResult r = run(List.of("ip", "netns", "del", ns));
            if (!r.succeeded() && run(List.of("ip", "netns", "list")).stdout().contains(ns + " ")) {
                problems.add("ip netns del " + ns + ": " + r.describeFailure());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("lab " + id + " not fully removed: " + problems);
        }
    }

    private String addNamespace(String role) {
        String ns = id + "-" + role;
        namespaces.push(ns);
        sh(List.of("ip", "netns", "add", ns));
        return ns;
    }

    /** Removes namespaces and links that a killed test run left (their pid is gone). */
    private static void sweepLeftovers() {
        for (String line : run(List.of("ip", "netns", "list")).stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (isStale(name)) {
                run(List.of("ip", "netns", "del", name));
            }
        }
        for (String line : run(List.of("ip", "-o", "link", "show")).stdout().split("\n")) {
            String[] f = line.split(":\\s+", 3);
            if (f.length >= 2) {
                String name = f[1].split("@")[0];
                if (isStale(name)) {
                    run(List.of("ip", "link", "del", name));
                }
            }
        }
    }

    private static boolean isStale(String name) {
        Matcher m = OURS.matcher(name);
        return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
    }

    /** Picks a /28 of a TEST-NET no root-namespace route overlaps, and a random /64 of 2001:db8::/32. */
    private void pickAddresses() {
        List<long[]> used = new ArrayList<>();
        for (String line : run(List.of("ip", "-o", "-4", "route", "show", "table", "all")).stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 0 || f[0].isEmpty()) {
                continue;
            }
            String dest = f[0].matches("[a-z]+") && f.length > 1 && !f[0].equals("default") ? f[1] : f[0];
            if (!dest.equals("default")) {
                used.add(range(dest));
            }
        }
        for (int attempt = 0; attempt < 40 && v4Net == null; attempt++) {
            String net = TEST_NETS[attempt % TEST_NETS.length];
            int base = 16 * (1 + random.nextInt(14));
            long lo = toLong(net + "." + base);
            long hi = lo + 15;
            if (used.stream().noneMatch(r -> r[0] <= hi && lo <= r[1])) {
                v4Net = net;
                v4Base = base;
            }
        }
        if (v4Net == null) {
            throw new IllegalStateException("no free /28 in the TEST-NET ranges on this machine");
        }
        String routes6 = run(List.of("ip", "-o", "-6", "route", "show", "table", "all")).stdout();
        for (int attempt = 0; attempt < 40 && v6Net == null; attempt++) {
            String candidate = "2001:db8:" + Integer.toHexString(1 + random.nextInt(0xfffe));
            if (!routes6.contains(candidate + ":")) {
                v6Net = candidate;
            }
        }
    }

    private static long[] range(String cidr) {
        String[] p = cidr.split("/");
        int prefix = p.length > 1 ? Integer.parseInt(p[1]) : 32;
        long a = toLong(p[0]);
        long size = 1L << (32 - prefix);
        long lo = a & ~(size - 1) & 0xffffffffL;
        return new long[] {lo, lo + size - 1};
    }

    private static long toLong(String ipv4) {
        try {
            long v = 0;
            for (byte b : InetAddress.getByName(ipv4).getAddress()) {
                v = (v << 8) | (b & 0xff);
            }
            return v;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ipv4, e);
        }
    }

    private static String mac(String ns, String dev) {
        List<String> cmd = new ArrayList<>(ns == null ? List.of("ip") : List.of("ip", "-n", ns));
        cmd.addAll(List.of("-o", "link", "show", "dev", dev));
        Matcher m = Pattern.compile("link/ether\\s+(\\S+)").matcher(sh(cmd).stdout());
        if (!m.find()) {
            throw new IllegalStateException("no MAC address on " + dev);
        }
        return m.group(1).toLowerCase();
    }

    private static boolean exists(String link) {
        return run(List.of("ip", "link", "show", "dev", link)).succeeded();
    }

    /** Runs a lab command that must succeed. */
    private static CommandResult sh(List<String> command) {
        CommandResult r = run(command);
        if (!r.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + ": " + r.describeFailure());
        }
        return r;
    }

    static CommandResult run(List<String> command) {
        return CommandRunner.run(command, COMMAND_TIMEOUT);
    }

    /**
     * Waits until a condition holds, polling every 20 ms.
     *
     * @param timeout how long at most
     * @param condition the condition
     * @return true when it held in time
     */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
