package org.vigil.resource.ip.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;

/**
 * The ip agent on a real network: the node's interface is a veth in the test JVM's namespace, cabled to a
 * bridge, with a client and other hosts in namespaces of their own (see {@link NetLab}).
 */
class IpHandlerTest {

    @RegisterExtension
    final NetLab lab = new NetLab();

    @TempDir
    Path stateDir;

    private final List<Agent> agents = new ArrayList<>();

    @BeforeEach
    void buildNetwork() {
        NetLab.requireEnvironment("ip", "arping", "ping");
        lab.start();
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(Agent::close);
    }

    private Agent agent(String name, String... parameters) {
        return agent(name, new Tools(null), parameters);
    }

    private Agent agent(String name, Tools tools, String... parameters) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("interface", lab.nodeIf());
        for (int i = 0; i < parameters.length; i += 2) {
            p.put(parameters[i], parameters[i + 1]);
        }
        Agent a = new Agent(name, p, stateDir, tools, IpResourceType.DNS_RETRY);
        agents.add(a);
        return a;
    }

    private String vip4(int host) {
        return lab.v4(host) + "/" + lab.v4Prefix();
    }

    @Test
    void ipv4DuplicateIsRefusedNamingTheAddressAndTheOwnerAndNothingIsAdded() {
        NetLab.Host owner = lab.addHost("owner").addAddress(vip4(5));

        OperationResult r = agent("vip", "address", vip4(5)).start();

        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains("address " + lab.v4(5) + " is already in use by " + owner.mac());
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(5));
    }

    @Test
    void aPlannedHandOverAddsTheAddressWithoutTheDuplicateAddressListen() {
        // A 10 s listen that the start would otherwise spend hearing nobody (no other host has the address).
        Agent a = agent("vip", "address", vip4(6), "dad-timeout", "10s");
        long t0 = System.nanoTime();
        OperationResult r = a.startPlannedHandover();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.code()).as(r.message()).isEqualTo(ResultCode.OK);
        assertThat(r.message()).contains("no duplicate address listen: planned hand-over");
        assertThat(lab.nodeAddresses()).contains(lab.v4(6));
        assertThat(tookMillis).as("start of a planned hand-over (a listen would take the whole dad-timeout, 10 s)")
                .isLessThan(9_000);
        NetLab.Host client = lab.addHost("client").addAddress(vip4(9));
        assertThat(client.exec("ping", "-c1", "-W1", lab.v4(6)).succeeded()).as("the client reaches the address").isTrue();
    }

    @Test
    void theArpingVersionCheckRunsOncePerHandlerNotAtEveryStart() throws Exception {
        // A wrapper arping that notes each version check, then runs the real one.
        Path bin = Files.createDirectories(stateDir.resolve("bin"));
        Path checks = stateDir.resolve("version-checks");
        String real = new Tools(null).find("arping").orElseThrow();
        Path wrapper = bin.resolve("arping");
        Files.writeString(wrapper, "#!/bin/sh\n[ \"$1\" = -V ] && echo V >> " + checks + "\nexec " + real + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        String path = bin + ":" + System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        Agent a = agent("vip", new Tools(path), "address", vip4(8));

        for (int i = 0; i < 2; i++) {
            assertThat(a.start().code()).isEqualTo(ResultCode.OK);
            assertThat(lab.nodeAddresses()).contains(lab.v4(8));
            assertThat(a.stop().code()).isEqualTo(ResultCode.OK);
        }
        assertThat(Files.readAllLines(checks)).as("arping -V runs").hasSize(1);
    }

    @Test
    void aPlainStartStillListensAndRefusesAnAddressAnotherHostHolds() {
        NetLab.Host owner = lab.addHost("owner").addAddress(vip4(7));

        OperationResult r = agent("vip", "address", vip4(7), "dad-wait", "0").start();

        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains(owner.mac());
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(7));
    }

    @Test
    void ipv6DuplicateIsRefusedByTheKernelsDadAndTheAddressIsRemoved() {
        lab.addHost("owner").addAddress(lab.v6(5) + "/64");

        OperationResult r = agent("vip6", "address", lab.v6(5) + "/64").start();

        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains("address " + lab.v6(5) + " is already in use by another host");
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v6(5));
    }

    @Test
    void gratuitousArpUpdatesTheClientsNeighbourTableWithinOneSecondAndTheClientReachesTheAddress() {
        NetLab.Host client = lab.addHost("client").addAddress(vip4(9));
        String vip = lab.v4(1);
        // The client still believes the address is at the previous owner's MAC.
        client.exec("ip", "neigh", "replace", vip, "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "stale");
        assertThat(client.neighbour(vip)).contains("02:00:00:00:00:99");

        Agent a = agent("vip", "address", vip4(1));
        OperationResult r = a.start();
        long started = System.nanoTime();

        assertThat(r).matches(OperationResult::isOk, "start is OK");
        // No traffic from the client before this: only the announcement can have taught it.
        boolean learned = NetLab.await(Duration.ofSeconds(1), () -> client.neighbour(vip).equals(Optional.of(lab.nodeMac())));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(learned).as("client's neighbour entry for %s is the node's MAC %s within 1 s (now %s)", vip,
                lab.nodeMac(), client.neighbour(vip)).isTrue();
        assertThat(tookMs).isLessThanOrEqualTo(1000);
        assertThat(client.exec("ping", "-c1", "-W1", vip).succeeded()).as("client pings %s", vip).isTrue();
        assertThat(a.monitor().code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void unsolicitedNeighbourAdvertisementUpdatesTheClientWithNdptool() {
        NetLab.requireEnvironment("ndptool");
        assertIpv6ClientLearnsTheOwner(new Tools(null));
    }

    @Test
    void withoutNdptoolTheKernelAnnouncesTheIpv6AddressWhenDadEnds(@TempDir Path bin) throws Exception {
        // A PATH with ip and nothing else: the agent falls back to the kernel's own advertisement.
        Files.createSymbolicLink(bin.resolve("ip"), Path.of(new Tools(null).find("ip").orElseThrow()));
        assertIpv6ClientLearnsTheOwner(new Tools(bin.toString()));
    }

    private void assertIpv6ClientLearnsTheOwner(Tools tools) {
        NetLab.Host client = lab.addHost("client").addAddress(lab.v6(9) + "/64");
        String vip = lab.v6(1);
        client.exec("ip", "-6", "neigh", "replace", vip, "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "stale");
        assertThat(client.neighbour(vip)).contains("02:00:00:00:00:99");

        OperationResult r = agent("vip6", tools, "address", vip + "/64").start();
        long started = System.nanoTime();

        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r);
        boolean learned = NetLab.await(Duration.ofSeconds(1), () -> client.neighbour(vip).equals(Optional.of(lab.nodeMac())));
        assertThat(learned).as("client's neighbour entry for %s is %s within 1 s of start (now %s)", vip,
                lab.nodeMac(), client.neighbour(vip)).isTrue();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThanOrEqualTo(1000);
        assertThat(client.exec("ping", "-6", "-c1", "-W1", vip).succeeded()).as("client pings %s", vip).isTrue();
    }

    @Test
    void stopEndsTheBackgroundAnnouncements() {
        NetLab.Host client = lab.addHost("client").addAddress(vip4(9));
        String vip = lab.v4(1);
        // Linux updates entries on gratuitous ARP but does not create them (arp_accept=0): give it one.
        client.exec("ip", "neigh", "replace", vip, "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "stale");
        Agent a = agent("vip", "address", vip4(1), "arp-count", "5");
        assertThat(a.start()).matches(OperationResult::isOk, "start");
        assertThat(NetLab.await(Duration.ofSeconds(1), () -> client.neighbour(vip).equals(Optional.of(lab.nodeMac()))))
                .as("first announcement arrived").isTrue();

        assertThat(a.stop()).matches(OperationResult::isOk, "stop");
        // Another node takes the address over; this one must not announce it any more (arping would go on
        // for 4 more seconds had stop not ended it).
        client.exec("ip", "neigh", "replace", vip, "lladdr", "02:00:00:00:00:77", "dev", "eth0", "nud", "stale");
        assertThat(NetLab.await(Duration.ofMillis(2500), () -> !client.neighbour(vip).equals(Optional.of("02:00:00:00:00:77"))))
                .as("client's entry still points at the new owner 2.5 s after stop").isFalse();
    }

    @Test
    void twoAddressesOnOneInterfaceStartAndStopIndependently() {
        NetLab.Host client = lab.addHost("client").addAddress(vip4(9));
        Agent first = agent("vip-a", "address", vip4(1));
        Agent second = agent("vip-b", "address", vip4(2), "label", lab.nodeIf() + ":b");

        assertThat(first.start()).matches(OperationResult::isOk, "first start");
        assertThat(second.start()).matches(OperationResult::isOk, "second start");
        assertThat(first.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(second.monitor().code()).isEqualTo(ResultCode.OK);

        // The first is the primary address of the subnet: removing it must not take the second along.
        assertThat(first.stop()).matches(OperationResult::isOk, "first stop");
        assertThat(first.monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
        assertThat(second.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(client.exec("ping", "-c1", "-W1", lab.v4(2)).succeeded()).isTrue();
        assertThat(client.exec("ping", "-c1", "-W1", lab.v4(1)).succeeded()).isFalse();

        assertThat(first.start()).matches(OperationResult::isOk, "first starts again");
        assertThat(second.stop()).matches(OperationResult::isOk, "second stop");
        assertThat(first.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(second.monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
        assertThat(lab.nodeAddresses()).contains(lab.v4(1) + "/").doesNotContain(lab.v4(2) + "/");
    }

    @Test
    void startDeclaresTheStopsRemovalAsTheReleaseActionAndStopWithdrawsIt() {
        Agent a = agent("vip", "address", vip4(1));
        assertThat(a.start()).matches(OperationResult::isOk, "start");

        List<List<String>> guards = releaseGuards();
        assertThat(guards).as("release guards running after start").hasSize(1);
        List<String> action = guards.get(0);
        assertThat(action.subList(1, action.size())).as("the guard's action: the stop's own command")
                .containsExactly("-4", "addr", "del", vip4(1), "dev", lab.nodeIf());
        assertThat(Path.of(action.get(0)).getFileName().toString()).isEqualTo("ip");

        assertThat(a.start()).matches(OperationResult::isOk, "start again");
        assertThat(releaseGuards()).as("a second start keeps the one guard").hasSize(1);

        assertThat(a.stop()).matches(OperationResult::isOk, "stop");
        assertThat(NetLab.await(Duration.ofSeconds(5), () -> releaseGuards().isEmpty())).as("the guard ends at stop")
                .isTrue();
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(1) + "/");
        assertThat(stateDir.resolve("vip/release-" + IpHandler.RELEASE + ".log")).as("nothing released").satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
    }

    /** @return the actions of the release guards this JVM started (/bin/sh -c SCRIPT vigil-guard MARKER T ARGV...) */
    private static List<List<String>> releaseGuards() {
        List<List<String>> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        ProcessHandle.current().children().forEach(h -> {
            try {
                String[] argv = new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                        java.nio.charset.StandardCharsets.UTF_8).split("\0");
                if (argv.length > 6 && argv[3].equals("vigil-guard") && h.parent().map(ProcessHandle::pid).orElse(0L) == self) {
                    found.add(List.of(argv).subList(6, argv.length));
                }
            } catch (java.io.IOException e) {
                // ended meanwhile
            }
        });
        return found;
    }

    @Test
    void monitorFailsWhenTheLinkGoesDownAndSaysNotRunningWhenTheAddressWasRemoved() {
        Agent a = agent("vip", "address", vip4(1));
        assertThat(a.start()).matches(OperationResult::isOk, "start");

        lab.cutCable();
        OperationResult r = a.monitor();
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains("interface " + lab.nodeIf() + " is down");

        lab.restoreCable();
        assertThat(NetLab.await(Duration.ofSeconds(5), () -> a.monitor().isOk())).as("OK once the cable is back").isTrue();

        NetLab.run(List.of("ip", "link", "set", lab.nodeIf(), "down"));
        assertThat(a.monitor().code()).isEqualTo(ResultCode.FAILED);
        NetLab.run(List.of("ip", "link", "set", lab.nodeIf(), "up"));
        assertThat(NetLab.await(Duration.ofSeconds(5), () -> a.monitor().isOk())).as("OK once the link is up").isTrue();

        NetLab.run(List.of("ip", "addr", "del", vip4(1), "dev", lab.nodeIf()));
        assertThat(a.monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
        assertThat(a.stop()).matches(OperationResult::isOk, "stop of a removed address");
    }

    @Test
    void startFailsClearlyOnAMissingOrDownInterface() {
        Agent missing = agent("vip", "address", vip4(1), "interface", "vgtnosuch0");
        OperationResult r = missing.start();
        assertThat(r.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(r.message()).contains("interface vgtnosuch0 does not exist");
        assertThat(missing.monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
        assertThat(missing.stop()).matches(OperationResult::isOk, "stop");

        lab.cutCable();
        Agent down = agent("vip2", "address", vip4(2));
        r = down.start();
        assertThat(r.code()).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains("interface " + lab.nodeIf() + " is down").contains(lab.v4(2) + "/28 not added");
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(2));
    }

    @Test
    void badParametersAreNotConfiguredNamingTheParameterAndNothingStarts() {
        Agent a = agent("vip", "address", "300.1.1.1/24");
        OperationResult r = a.start();
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith("address: '300.1.1.1/24' is not an IPv4 or IPv6 address with a prefix");
        assertThat(a.monitor().code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(a.stop()).matches(OperationResult::isOk, "stop");
        assertThat(lab.nodeAddresses()).doesNotContain("inet ");
    }
}
