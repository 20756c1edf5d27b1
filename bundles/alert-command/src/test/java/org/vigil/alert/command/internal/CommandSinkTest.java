package org.vigil.alert.command.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.Severity;

/**
 * The command sink runs a real script written the way Pacemaker's alert_file.sh.sample is: it switches on
 * CRM_alert_kind and writes the fields Pacemaker scripts use.
 */
class CommandSinkTest {

    @TempDir
    Path dir;
    private final CommandSinkType type = new CommandSinkType();

    private Path script(String body) throws Exception {
        Path s = dir.resolve("alert.sh");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    /** The heart of Pacemaker's alert_file.sh.sample, writing to $CRM_alert_recipient. */
    private static final String PACEMAKER_STYLE = """
            case $CRM_alert_kind in
              node) echo "$CRM_alert_timestamp ${CRM_alert_node}: $CRM_alert_desc" >> "$CRM_alert_recipient" ;;
              fencing) echo "$CRM_alert_timestamp Fencing $CRM_alert_desc (rc=$CRM_alert_rc)" >> "$CRM_alert_recipient" ;;
              resource) echo "$CRM_alert_timestamp Resource operation $CRM_alert_task for $CRM_alert_rsc on $CRM_alert_node: rc=$CRM_alert_rc" >> "$CRM_alert_recipient" ;;
              *) echo "$CRM_alert_timestamp Unhandled $CRM_alert_kind alert" >> "$CRM_alert_recipient" ;;
            esac
            env | grep -c '^JAVA_HOME=' >> "$CRM_alert_recipient.env" || true
            echo "seq=$CRM_alert_node_sequence epoch=$CRM_alert_timestamp_epoch vigil=$VIGIL_alert_kind/$VIGIL_alert_severity" >> "$CRM_alert_recipient"
            """;

    private static AlertEvent event(Severity s, String kind, String subject, String message) {
        return new AlertEvent(Instant.parse("2026-12-07T10:15:30.123456Z"), s, kind, "node2", subject, message);
    }

    @Test
    void aPacemakerAlertScriptGetsTheVariablesItReads() throws Exception {
        Path log = dir.resolve("alerts.log");
        Map<String, String> p = Map.of("path", script(PACEMAKER_STYLE).toString(), "recipient", log.toString());
        assertThat(type.validate(p)).isEmpty();
        var sink = type.create("script", p);

        sink.deliver(event(Severity.CRITICAL, "node-lost", "node1", "node node1 is lost"));
        sink.deliver(event(Severity.CRITICAL, "stop-failed", "web-server", "stop of web-server on node2 failed"));
        sink.deliver(event(Severity.CRITICAL, "fenced", "node1", "node node1 was fenced (ipmi)"));
        sink.deliver(event(Severity.CRITICAL, "quorum-lost", "node2", "node node2 has lost quorum"));

        String ts = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS")
                .format(Instant.parse("2026-12-07T10:15:30.123456Z").atZone(java.time.ZoneId.systemDefault()));
        assertThat(Files.readAllLines(log)).containsExactly(
                ts + " node1: lost",
                "seq=1 epoch=1796638530 vigil=node-lost/critical",
                ts + " Resource operation stop for web-server on node2: rc=1",
                "seq=2 epoch=1796638530 vigil=stop-failed/critical",
                ts + " Fencing node node1 was fenced (ipmi) (rc=0)",
                "seq=3 epoch=1796638530 vigil=fenced/critical",
                ts + " Unhandled vigil alert",
                "seq=4 epoch=1796638530 vigil=quorum-lost/critical");
        assertThat(Files.readAllLines(Path.of(log + ".env"))).as("the node's own environment is not passed on")
                .containsOnly("0");
    }

    @Test
    void aFailingScriptIsAFailedDeliveryWithItsOutput() throws Exception {
        var sink = type.create("script", Map.of("path", script("echo 'cannot reach the pager' >&2; exit 3\n").toString()));
        assertThatThrownBy(() -> sink.deliver(event(Severity.WARNING, "path-down", "node1/lan", "path down")))
                .hasMessageEndingWith("exited with 3: cannot reach the pager");
    }

    @Test
    void badConfigurationsAreNamed() throws Exception {
        assertThat(type.validate(Map.of())).singleElement().asString().startsWith("path: required");
        assertThat(type.validate(Map.of("path", "alert.sh"))).containsExactly("path: 'alert.sh' is not an absolute path");
        Path notExec = dir.resolve("plain.sh");
        Files.writeString(notExec, "#!/bin/sh\n");
        assertThat(type.validate(Map.of("path", notExec.toString()))).containsExactly("path: " + notExec + " is not an executable file");
    }
}
