package org.vigil.alert.syslog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.Severity;

/** The syslog sink against a real rsyslogd: over UDP, TCP and a local Unix socket, parsed as RFC 5424. */
class SyslogSinkTest {

    @TempDir
    static Path dir;
    private static Rsyslog rsyslog;
    private final SyslogSinkType type = new SyslogSinkType();

    @BeforeAll
    static void start() throws Exception {
        Rsyslog.require();
        rsyslog = Rsyslog.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (rsyslog != null) {
            rsyslog.close();
        }
    }

    private static AlertEvent event(String subject) {
        return new AlertEvent(Instant.parse("2026-12-07T10:15:30.123456789Z"), Severity.CRITICAL, "node-lost", "node2", subject,
                "node " + subject + " is lost: no heartbeat on any path");
    }

    private String deliverAndFind(Map<String, String> params, String subject) throws Exception {
        assertThat(type.validate(params)).isEmpty();
        type.create("syslog", params).deliver(event(subject));
        await().atMost(Duration.ofSeconds(10)).until(() -> rsyslog.lines().stream().anyMatch(l -> l.contains(subject + " is lost")));
        return rsyslog.lines().stream().filter(l -> l.contains(subject + " is lost")).findFirst().orElseThrow();
    }

    @Test
    void overUdpAsRfc5424() throws Exception {
        String l = deliverAndFind(Map.of("target", "udp://127.0.0.1:" + rsyslog.udpPort, "facility", "local3"), "nodeudp");
        assertThat(l).as("the event's time, to the microsecond (RFC 5424 allows no more)").startsWith("2026-12-07T10:15:30.123456")
                .contains("host=node2 app=vigil msgid=node-lost pri=local3.crit",
                        "sd=[vigil@32473 kind=\"node-lost\" subject=\"nodeudp\" node=\"node2\" severity=\"critical\"]",
                        "msg=node nodeudp is lost: no heartbeat on any path");
    }

    @Test
    void overTcpWithOctetCounting() throws Exception {
        String l = deliverAndFind(Map.of("target", "tcp://127.0.0.1:" + rsyslog.tcpPort), "nodetcp");
        assertThat(l).contains("host=node2 app=vigil msgid=node-lost pri=daemon.crit", "subject=\"nodetcp\"",
                "msg=node nodetcp is lost");
    }

    @Test
    void toTheLocalSocket() throws Exception {
        String l = deliverAndFind(Map.of("target", rsyslog.socket.toString(), "app-name", "vigil-test"), "nodelocal");
        assertThat(l).contains("app=vigil-test msgid=node-lost pri=daemon.crit", "kind=\"node-lost\"", "subject=\"nodelocal\"",
                "msg=node nodelocal is lost");
    }

    @Test
    void badConfigurationsAreNamed() {
        assertThat(type.validate(Map.of("target", "http://x:1", "facility", "kern"))).containsExactly(
                "target: 'http://x:1' is neither a socket path nor udp://HOST:PORT or tcp://HOST:PORT",
                "facility: 'kern' is not one of [auth, daemon, local0, local1, local2, local3, local4, local5, local6, local7, user]");
        assertThat(type.validate(Map.of("target", dir.resolve("none.sock").toString())))
                .containsExactly("target: no socket " + dir.resolve("none.sock") + " (is a syslog daemon running?)");
    }
}
