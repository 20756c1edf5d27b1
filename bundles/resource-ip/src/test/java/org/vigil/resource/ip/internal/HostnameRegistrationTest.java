package org.vigil.resource.ip.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;

/**
 * The virtual host name, against a real DNS server: BIND's named, in a namespace of the lab, serving a zone
 * that accepts RFC 2136 updates signed with a TSIG key.
 */
class HostnameRegistrationTest {

    private static final String ZONE = "vigil.test";

    @RegisterExtension
    final NetLab lab = new NetLab();

    @TempDir
    Path dir;

    private Agent agent;
    private NetLab.Host dnsHost;
    private Path key;

    @BeforeEach
    void buildNetwork() throws IOException {
        NetLab.requireEnvironment("ip", "arping", "named", "nsupdate", "dig", "tsig-keygen");
        lab.start();
        dnsHost = lab.addHost("dns").addAddress(lab.v4(13) + "/" + lab.v4Prefix());
        key = dir.resolve("vigil-test.key");
        Files.writeString(key, NetLab.run(List.of(new Tools(null).find("tsig-keygen").orElseThrow(), "vigil-test"))
                .stdout());
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private void startNamed() throws IOException {
        Path zone = dir.resolve(ZONE + ".zone");
        Files.writeString(zone, String.join("\n",
                "$TTL 60",
                "@ IN SOA ns." + ZONE + ". admin." + ZONE + ". 1 60 60 600 60",
                "@ IN NS ns." + ZONE + ".",
                "ns IN A " + lab.v4(13), ""));
        Path conf = dir.resolve("named.conf");
        Files.writeString(conf, String.join("\n",
                "include \"" + key + "\";",
                "options { directory \"" + dir + "\"; pid-file none; listen-on port 53 { " + lab.v4(13) + "; };",
                "  listen-on-v6 { none; }; recursion no; dnssec-validation no; };",
                "zone \"" + ZONE + "\" { type primary; file \"" + zone + "\"; allow-update { key vigil-test; }; };", ""));
        Path log = dir.resolve("named.log");
        String named = new Tools(null).find("named").orElseThrow();
        dnsHost.spawn(log, named, "-g", "-u", "root", "-c", conf.toString());
        boolean running = NetLab.await(Duration.ofSeconds(10), () -> {
            try {
                return Files.readString(log).contains("running");
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(running).as("named runs: %s", log).isTrue();
    }

    private String lookup(String name, String type) {
        // Asked from the DNS host itself: the node reaches the lab's subnet only while it holds the address.
        return dnsHost.exec("dig", "+short", "+time=1", "+tries=2", "@" + lab.v4(13), name, type).stdout().strip();
    }

    @Test
    void startRegistersTheNameAndItResolvesToTheVirtualAddress() throws IOException {
        startNamed();
        agent = new Agent("vip", Map.of("address", lab.v4(1) + "/" + lab.v4Prefix(), "interface",
                lab.nodeIf(), "hostname", "web." + ZONE, "dns-server", lab.v4(13), "dns-key", key.toString(),
                "dns-ttl", "30"), dir);

        OperationResult r = agent.start();

        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r);
        assertThat(r.message()).doesNotContain("not registered");
        assertThat(lookup("web." + ZONE, "A")).isEqualTo(lab.v4(1));
        assertThat(agent.monitor().code()).isEqualTo(ResultCode.OK);
        // Stop leaves the record: the address is the same wherever the group runs.
        assertThat(agent.stop()).matches(OperationResult::isOk, "stop");
        assertThat(lookup("web." + ZONE, "A")).isEqualTo(lab.v4(1));
    }

    @Test
    void aKeyFileOtherUsersCanReadIsRefusedNamingItAndTheRuleAndNothingIsAdded() throws IOException {
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        agent = new Agent("vip", Map.of("address", lab.v4(1) + "/" + lab.v4Prefix(), "interface",
                lab.nodeIf(), "hostname", "web." + ZONE, "dns-server", lab.v4(13), "dns-key", key.toString()), dir);

        OperationResult r = agent.start();

        assertThat(r.code()).isEqualTo(ResultCode.NOT_INSTALLED);
        assertThat(r.message()).startsWith("dns-key " + key).contains("mode 0644").contains("0600 or 0400");
        assertThat(agent.monitor().code()).as("the address was not added").isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void anUnreachableDnsServerDoesNotFailTheStartButShowsDegradedUntilARetrySucceeds() throws IOException {
        // named is not running yet: the update times out.
        agent = new Agent("vip", Map.of("address", lab.v4(1) + "/" + lab.v4Prefix(), "interface",
                lab.nodeIf(), "hostname", "db." + ZONE, "dns-server", lab.v4(13), "dns-key", key.toString()), dir,
                new Tools(null), Duration.ZERO);

        OperationResult r = agent.start();

        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r);
        assertThat(r.message()).contains("hostname db." + ZONE + ". not registered in DNS");
        OperationResult m = agent.monitor();
        assertThat(m.code()).isEqualTo(ResultCode.DEGRADED);
        assertThat(m.message()).contains("not registered in DNS");

        startNamed();
        // Each monitor retries the registration (the retry interval is zero here); the server may need a
        // moment after start before it accepts updates, so allow a few retries within a bounded time.
        OperationResult after = agent.monitor();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (after.code() != ResultCode.OK && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            after = agent.monitor();
        }
        assertThat(after.code()).as("monitor once the DNS server answers: " + after).isEqualTo(ResultCode.OK);
        assertThat(lookup("db." + ZONE, "A")).isEqualTo(lab.v4(1));
    }

    @Test
    void anUnsignedUpdateIsRefusedByTheServerAndReportedAsDegraded() throws IOException {
        startNamed();
        agent = new Agent("vip", Map.of("address", lab.v4(1) + "/" + lab.v4Prefix(), "interface",
                lab.nodeIf(), "hostname", "app." + ZONE, "dns-server", lab.v4(13)), dir);

        OperationResult r = agent.start();

        assertThat(r).matches(OperationResult::isOk, "start is OK: " + r);
        assertThat(r.message()).contains("REFUSED");
        assertThat(agent.monitor().code()).isEqualTo(ResultCode.DEGRADED);
        assertThat(lookup("app." + ZONE, "A")).isEmpty();
    }
}
