package org.vigil.alert.mail.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.Severity;

/** The mail sink against a real SMTP server (aiosmtpd) with STARTTLS and AUTH. */
class MailSinkTest {

    @TempDir
    Path dir;
    private Path cert;
    private Path key;
    private Path password;
    private final MailSinkType type = new MailSinkType();
    private final AlertEvent event = new AlertEvent(Instant.parse("2026-12-07T10:15:30.123Z"), Severity.CRITICAL, "node-lost",
            "node2", "node1", "node node1 is lost: no heartbeat on any path for 1500 ms");

    @BeforeAll
    static void prerequisites() throws Exception {
        SmtpServer.requireAiosmtpd();
    }

    @BeforeEach
    void certificateAndPassword() throws Exception {
        cert = dir.resolve("smtp.pem");
        key = dir.resolve("smtp.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a test certificate").isTrue();
        password = dir.resolve("smtp.password");
        Files.writeString(password, "s3cret-for-tests\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    }

    private Map<String, String> params(int port) {
        Map<String, String> p = new HashMap<>();
        p.put("host", "127.0.0.1");
        p.put("port", Integer.toString(port));
        p.put("from", "vigil@cluster.example");
        p.put("to", "admin@example.org, oncall@example.org");
        p.put("user", "vigil");
        p.put("password-file", password.toString());
        p.put("trust-file", cert.toString());
        return p;
    }

    private AlertSink sink(Map<String, String> p) {
        assertThat(type.validate(p)).as("problems of %s", p).isEmpty();
        return type.create("admins", p);
    }

    @Test
    void mailsTheEventOverStarttlsWithAuthentication() throws Exception {
        try (SmtpServer smtp = SmtpServer.start(dir, "--cert", cert.toString(), "--key", key.toString(), "--user", "vigil",
                "--password-file", password.toString())) {
            sink(params(smtp.port)).deliver(event);

            await().atMost(Duration.ofSeconds(10)).until(() -> smtp.mails().size() == 1);
            String mail = smtp.mails().get(0);
            assertThat(mail).contains("X-TLS: yes", "X-Auth-User: vigil", "X-Envelope-From: vigil@cluster.example",
                    "X-Envelope-To: admin@example.org,oncall@example.org",
                    "Subject: [vigil] CRITICAL node-lost node1",
                    "node node1 is lost: no heartbeat on any path for 1500 ms",
                    "node:     node2 (the node that reports it)", "time:     2026-12-07T10:15:30.123Z");
        }
    }

    @Test
    void aWrongPasswordIsAFailedDeliveryNamingAuth() throws Exception {
        try (SmtpServer smtp = SmtpServer.start(dir, "--cert", cert.toString(), "--key", key.toString(), "--user", "vigil",
                "--password-file", password.toString())) {
            Path wrong = dir.resolve("wrong.password");
            Files.writeString(wrong, "not-it\n");
            Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("r--------"));
            Map<String, String> p = params(smtp.port);
            p.put("password-file", wrong.toString());
            assertThatThrownBy(() -> sink(p).deliver(event)).hasMessageContaining("refused AUTH");
            assertThat(smtp.mails()).isEmpty();
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (SmtpServer smtp = SmtpServer.start(dir, "--cert", cert.toString(), "--key", key.toString())) {
            Map<String, String> p = params(smtp.port);
            p.remove("trust-file"); // the JDK's authorities do not know the test certificate
            p.remove("user");
            p.remove("password-file");
            assertThatThrownBy(() -> sink(p).deliver(event)).isInstanceOf(javax.net.ssl.SSLException.class);
            assertThat(smtp.mails()).isEmpty();
        }
    }

    @Test
    void aServerWithoutStarttlsIsRefusedUnlessSecurityIsNone() throws Exception {
        try (SmtpServer smtp = SmtpServer.start(dir)) {
            Map<String, String> p = params(smtp.port);
            p.remove("user");
            p.remove("password-file");
            assertThatThrownBy(() -> sink(p).deliver(event)).hasMessageContaining("does not offer STARTTLS");
            assertThat(smtp.mails()).isEmpty();

            p.put("security", "none");
            sink(p).deliver(event);
            await().atMost(Duration.ofSeconds(10)).until(() -> smtp.mails().size() == 1);
            assertThat(smtp.mails().get(0)).contains("X-TLS: no", "Subject: [vigil] CRITICAL node-lost node1");
        }
    }

    @Test
    void badConfigurationsAreNamed() throws Exception {
        Map<String, String> p = params(25);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(type.validate(p)).anyMatch(s -> s.startsWith("password-file: the file " + password + " is refused: it has mode 0644"));

        Map<String, String> q = params(25);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        q.put("security", "none");
        assertThat(type.validate(q)).containsExactly("user: a password is never sent without TLS; set security = starttls or tls");

        Map<String, String> r = new HashMap<>(Map.of("host", "bad host!", "to", "admin", "port", "99999", "security", "ssl"));
        assertThat(type.validate(r)).contains("host: 'bad host!' is not a host name or address",
                "to: 'admin' is not a mail address", "port: 99999 is not a port (1 to 65535)",
                "security: 'ssl' is not starttls, tls or none",
                "from: required (the sender, e.g. vigil@example.org)");
    }
}
