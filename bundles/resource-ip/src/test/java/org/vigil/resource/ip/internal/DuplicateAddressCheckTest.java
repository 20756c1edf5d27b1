package org.vigil.resource.ip.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The IPv4 duplicate address check on a real network ({@link NetLab}): real arping probes from the node's veth,
 * answered by the kernel of another host (a namespace on the same bridge) that holds the address, keeps it,
 * or releases it with {@code ip addr del} while the node's start is holding off.
 */
class DuplicateAddressCheckTest {

    @RegisterExtension
    final NetLab lab = new NetLab();

    @TempDir
    Path stateDir;

    private final List<Agent> agents = new ArrayList<>();

    @BeforeEach
    void buildNetwork() {
        NetLab.requireEnvironment("ip", "arping", "timeout", "ping");
        lab.start();
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(Agent::close);
    }

    private Agent agent(String... parameters) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("interface", lab.nodeIf());
        for (int i = 0; i < parameters.length; i += 2) {
            p.put(parameters[i], parameters[i + 1]);
        }
        Agent a = new Agent("vip", p, stateDir);
        agents.add(a);
        return a;
    }

    private String vip4(int host) {
        return lab.v4(host) + "/" + lab.v4Prefix();
    }

    @Test
    void theDefaultListenDetectsALiveOwnerEveryTime() {
        NetLab.Host owner = lab.addHost("owner").addAddress(vip4(5));
        // Defaults (a short listen), no hold-off: each start is refused by what the one listen heard.
        for (int i = 0; i < 5; i++) {
            OperationResult r = agent("address", vip4(5), "dad-wait", "0").start();

            assertThat(r.code()).as("start %d: %s", i, r).isEqualTo(ResultCode.FAILED);
            assertThat(r.message()).isEqualTo("address " + lab.v4(5) + " is already in use by " + owner.mac()
                    + " (it answered ARP on " + lab.nodeIf() + "); not added");
            assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(5) + "/");
        }
    }

    @Test
    void anOwnerThatKeepsTheAddressFailsTheStartOnceDadWaitHasPassedNamingItsMac() {
        NetLab.Host owner = lab.addHost("owner").addAddress(vip4(5));
        Agent a = agent("address", vip4(5), "dad-wait", "1s");

        long began = System.nanoTime();
        OperationResult r = a.start();
        long tookMs = (System.nanoTime() - began) / 1_000_000;

        assertThat(r.code()).as("start: %s", r).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).startsWith("address " + lab.v4(5) + " is already in use by " + owner.mac()
                + " (it still answered ARP on " + lab.nodeIf() + " after waiting ").contains("dad-wait 1s")
                .endsWith("); not added");
        assertThat(tookMs).as("start held off for dad-wait before it failed").isGreaterThanOrEqualTo(1000);
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(5) + "/");
        assertThat(a.monitor().code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void anOwnerThatReleasesTheAddressDuringTheHoldOffLetsTheStartSucceed() throws Exception {
        NetLab.Host owner = lab.addHost("owner").addAddress(vip4(5));
        NetLab.Host client = lab.addHost("client").addAddress(vip4(9));
        // The old owner's release guard removes the address a moment after the new owner's start began.
        owner.spawn(stateDir.resolve("release.log"), "sh", "-c", "sleep 0.4; exec ip addr del " + vip4(5) + " dev eth0");
        Agent a = agent("address", vip4(5));

        OperationResult r = a.start();

        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r);
        assertThat(r.message()).as("the start held off for the old owner").contains("waited ")
                .contains(" for " + owner.mac() + " to release " + lab.v4(5));
        assertThat(owner.exec("ip", "-o", "addr", "show", "dev", "eth0").stdout()).doesNotContain(lab.v4(5) + "/");
        assertThat(lab.nodeAddresses()).contains(lab.v4(5) + "/" + lab.v4Prefix());
        assertThat(a.monitor().code()).isEqualTo(ResultCode.OK);
        assertThat(client.exec("ping", "-c1", "-W2", lab.v4(5)).succeeded()).as("client reaches %s", lab.v4(5)).isTrue();
        assertThat(client.neighbour(lab.v4(5))).as("the client talks to the new owner").isEqualTo(Optional.of(lab.nodeMac()));
    }

    @Test
    void theHoldOffEndsBeforeTheStartsTimeoutDoes() {
        lab.addHost("owner").addAddress(vip4(5));
        Agent a = agent("address", vip4(5), "dad-wait", "10s");
        Duration budget = Duration.ofSeconds(5);

        long began = System.nanoTime();
        OperationResult r = a.start(budget);
        long tookMs = (System.nanoTime() - began) / 1_000_000;

        assertThat(r.code()).as("start: %s", r).isEqualTo(ResultCode.FAILED);
        assertThat(r.message()).contains("it still answered ARP").endsWith("; start's time ran out before dad-wait did); not added");
        assertThat(tookMs).as("returned within the start's budget").isLessThan(budget.toMillis());
        assertThat(lab.nodeAddresses()).doesNotContain(lab.v4(5) + "/");
    }

    @Test
    void aFreeAddressIsAddedAfterTheShortListen() {
        NetLab.Host client = lab.addHost("client").addAddress(vip4(9));
        Agent a = agent("address", vip4(5), "dad-timeout", "300ms");

        long began = System.nanoTime();
        OperationResult r = a.start();
        long tookMs = (System.nanoTime() - began) / 1_000_000;

        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r);
        // Safety rests on this: nobody answered during a whole listen, not during its first few milliseconds.
        assertThat(tookMs).as("start listened the whole dad-timeout before adding").isGreaterThanOrEqualTo(300);
        assertThat(r.message()).doesNotContain("waited");
        assertThat(client.exec("ping", "-c1", "-W2", lab.v4(5)).succeeded()).isTrue();
    }
}
