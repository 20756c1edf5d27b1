package org.vigil.alert.webhook.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.Severity;

/** The webhook sink against a real HTTP server (the JDK's): the JSON body and its signature as a receiver checks them. */
class WebhookSinkTest {

    @TempDir
    Path dir;
    private HttpServer server;
    private final List<String[]> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(204);
    private Path secret;
    private final WebhookSinkType type = new WebhookSinkType();
    private final AlertEvent event = new AlertEvent(Instant.parse("2026-12-07T10:15:30.123Z"), Severity.CRITICAL, "node-lost",
            "node2", "node1", "node node1 is \"lost\"\nno heartbeat");

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            received.add(new String[] {ex.getRequestMethod(), ex.getRequestHeaders().getFirst("Content-Type"),
                    ex.getRequestHeaders().getFirst("X-Vigil-Signature"), new String(body, StandardCharsets.UTF_8)});
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.start();
        secret = dir.resolve("hook.secret");
        Files.writeString(secret, "shared-secret-of-the-test\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("r--------"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Map<String, String> params() {
        return new HashMap<>(Map.of("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/hook",
                "secret-file", secret.toString()));
    }

    @Test
    void postsTheEventAsJsonSignedWithTheSharedSecret() throws Exception {
        assertThat(type.validate(params())).isEmpty();
        type.create("hook", params()).deliver(event);

        assertThat(received).hasSize(1);
        String[] r = received.get(0);
        assertThat(r[0]).isEqualTo("POST");
        assertThat(r[1]).startsWith("application/json");
        assertThat(r[3]).isEqualTo("{\"time\":\"2026-12-07T10:15:30.123Z\",\"timeMillis\":" + event.time().toEpochMilli()
                + ",\"severity\":\"critical\",\"kind\":\"node-lost\",\"node\":\"node2\",\"subject\":\"node1\","
                + "\"message\":\"node node1 is \\\"lost\\\"\\nno heartbeat\"}");
        // what a receiver computes with the secret it shares (checked here with the JDK's Mac, independently)
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("shared-secret-of-the-test".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(r[3].getBytes(StandardCharsets.UTF_8)));
        assertThat(r[2]).isEqualTo(expected);
    }

    @Test
    void anErrorAnswerIsAFailedDelivery() throws Exception {
        status.set(500);
        assertThatThrownBy(() -> type.create("hook", params()).deliver(event)).hasMessageContaining("answered 500");
    }

    @Test
    void badConfigurationsAreNamed() throws Exception {
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-rw----"));
        Map<String, String> p = params();
        assertThat(type.validate(p)).singleElement().asString()
                .startsWith("secret-file: the file " + secret + " is refused: it has mode 0660");
        assertThat(type.validate(Map.of("url", "ftp://x/y"))).containsExactly(
                "url: 'ftp://x/y' is not an http:// or https:// URL with a host",
                "secret-file: required (a file holding the secret, mode 0600 or 0400)");
    }
}
