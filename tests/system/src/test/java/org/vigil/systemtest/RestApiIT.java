package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.core.internal.json.Json;

/**
 * The REST API on two real nodes (scripts/vigil-lab), {@code feature:install vigil-rest} at runtime on node1, driven
 * by the JDK's HTTP client trusting the generated certificate by the SHA-256 fingerprint {@code vigil:rest} shows:
 * installed, nothing listens until {@code enabled = true}; then only the configured port on the configured address,
 * TLS only; 401 without or with wrong credentials; the viewer reads the status (the schema of
 * {@code vigil:status --json}) and gets 403 on a change; bad JSON and an unknown parameter get 400 naming it and change
 * nothing; a group defined, brought in and switched over through the API (202, polled until done) really runs on
 * node2; the audit log names the user of each change and refusal; repeated failed logins are delayed, then refused;
 * uninstalled, it listens no more.
 */
@Steps
@Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
class RestApiIT implements Steps.Diagnostics {

    private static final int OFFSET = 260;
    private static final String NODE = "node1";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String VIEWER = "viewer";
    private static final String VIEWER_PW = "viewer-pw-7Qx";
    private static final String ADMIN = "operator";
    private static final String ADMIN_PW = "operator-pw-4Kd";

    private static Lab lab;
    private static Path home;
    private static int sshPort;
    private static int webPort;
    private static int restPort;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        Path dist = Prerequisites.require();
        Prerequisites.requireTools("RestApiIT", "to list the listening sockets", List.of("ss"), List.of(), "iproute2");
        sshPort = Prerequisites.intProperty("vigil.system.sshBase", 8301) + OFFSET;
        int udp = Prerequisites.intProperty("vigil.system.udpBase", 7301) + OFFSET;
        webPort = Prerequisites.intProperty("vigil.system.webPort", 18301) + OFFSET;
        restPort = webPort + 1;
        base = "https://127.0.0.1:" + restPort + "/api/v1";
        lab = Lab.setUp("rest-api", 2, sshPort, udp, dist);
        home = lab.dir().resolve(NODE);
        // users of the karaf realm, one per role: written before the start, as an admin would
        Path users = home.resolve("etc/users.properties");
        Files.writeString(users, Files.readString(users) + "\n" + VIEWER + " = " + VIEWER_PW + ",vigil-viewer\n"
                + ADMIN + " = " + ADMIN_PW + ",vigil-admin\n");
        try {
            lab.start("node1", "node2");
            lab.awaitOnline("node1", "node2", Duration.ofSeconds(30));
            lab.awaitOnline("node2", "node1", Duration.ofSeconds(30));
        } catch (RuntimeException | Error e) {
            e.addSuppressed(new AssertionError("node logs:\n" + lab.logTails()));
            lab.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    public void stepFailed(String step) {
        if (lab != null) {
            WebCluster.log("rest-api: step '%s' failed; vigil:rest: %s%nvigil:status:%n%s%naudit log:%n%s%nnode logs:%n%s", step,
                    lab.cli(NODE, "vigil:rest").output(), lab.cli(NODE, "vigil:status").output(), auditLog(), lab.logTails());
        }
    }

    @Test
    @Order(1)
    void installedItListensOnlyOnceEnabledAndThenOnlyOnTheConfiguredPortAndAddress() throws Exception {
        long pid = lab.jvmPid(NODE);
        assertThat(RestAccess.listening(pid)).as("before the feature").containsExactly("127.0.0.1:" + sshPort);
        lab.cliOk(NODE, "feature:install vigil-rest");
        Path cfg = home.resolve("etc/org.vigil.rest.cfg");
        await("the feature's configuration written and the API disabled",
                () -> Files.exists(cfg) && lab.cli(NODE, "vigil:rest").output().contains("disabled"));
        Lab.sleep(2000);
        assertThat(RestAccess.listening(pid)).as("installed, not enabled").containsExactly("127.0.0.1:" + sshPort);

        Files.writeString(cfg, "enabled = true\nbind = 127.0.0.1\nport = " + restPort + "\nlogin.max-failures = 3\n");
        await("the API listening", () -> lab.cli(NODE, "vigil:rest").output().contains("listening on"));
        assertThat(RestAccess.listening(pid)).as("enabled").containsExactlyInAnyOrder("127.0.0.1:" + sshPort, "127.0.0.1:" + restPort);
        for (String f : List.of("vigil-rest.p12", "vigil-rest.p12.password", "vigil-rest.crt")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("etc").resolve(f))))
                    .as("etc/%s", f).isEqualTo("rw-------");
        }
        String info = lab.cliOk(NODE, "vigil:rest");
        Matcher m = Pattern.compile("fingerprint: ([0-9A-F:]{95})").matcher(info);
        assertThat(m.find()).as("the fingerprint in vigil:rest: %s", info).isTrue();
        assertThat(Files.readString(home.resolve("data/log/karaf.log"))).as("the fingerprint logged").contains(m.group(1));
        client = HttpClient.newBuilder().sslContext(pinned(m.group(1))).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    @Order(2)
    void withoutOrWithWrongCredentials401AndPlainHttpIsNotServed() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/status", null, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(send("GET", "/status", VIEWER, "not-the-password", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/status", "nobody-here", "x", null).statusCode()).isEqualTo(401);
        assertThat(plainHttp()).as("what a plain HTTP request gets back").doesNotContain("HTTP/1.").doesNotContain("schema");
    }

    @Test
    @Order(3)
    void theViewerReadsTheStatusAsTheShellWritesItAndGets403OnAChange() throws Exception {
        HttpResponse<String> r = send("GET", "/status", VIEWER, VIEWER_PW, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        Map<String, Object> api = Json.parseObject(r.body());
        Map<String, Object> shell = Json.parseObject(lab.cliOk(NODE, "vigil:status --json"));
        assertThat(api.get("schema")).isEqualTo("vigil-status/1");
        assertThat(new ArrayList<>(api.keySet())).as("the fields of vigil:status --json, in its order")
                .isEqualTo(new ArrayList<>(shell.keySet()));
        assertThat(api.get("node")).isEqualTo(NODE);
        assertThat(names((List<?>) api.get("nodes"))).containsExactlyInAnyOrder("node1", "node2");

        String before = document();
        HttpResponse<String> refused = send("POST", "/groups", VIEWER, VIEWER_PW, "{\"name\":\"sneaky\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("may only read");
        assertThat(send("POST", "/groups/any/switchover", VIEWER, VIEWER_PW, "{}").statusCode()).isEqualTo(403);
        assertThat(document()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void badJsonOrAnUnknownParameterGets400NamingItAndTheDocumentIsUnchanged() throws Exception {
        String before = document();
        HttpResponse<String> bad = send("POST", "/groups", ADMIN, ADMIN_PW, "{\"name\": \"api\",");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(Json.parseObject(bad.body())).containsEntry("parameter", "body");
        assertThat(bad.body()).contains("not valid JSON");
        HttpResponse<String> unknown = send("POST", "/groups", ADMIN, ADMIN_PW, "{\"name\": \"api\", \"colour\": \"red\"}");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
        assertThat(Json.parseObject(unknown.body())).containsEntry("parameter", "colour");
        HttpResponse<String> badName = send("POST", "/groups", ADMIN, ADMIN_PW, "{\"name\": \"no spaces please\"}");
        assertThat(badName.statusCode()).as(badName.body()).isEqualTo(400);
        assertThat(badName.body()).as("the shell's own message").contains("group name 'no spaces please' is not valid");
        HttpResponse<String> missing = send("POST", "/groups/nope/switchover", ADMIN, ADMIN_PW, "{\"node\": \"node2\"}");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(Json.parseObject(missing.body())).containsEntry("parameter", "group");
        assertThat(document()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void aGroupAddedAndSwitchedOverThroughTheApiRunsOnTheOtherNode() throws Exception {
        String python = labPython();
        ok(send("POST", "/groups", ADMIN, ADMIN_PW, "{\"name\": \"api\", \"stopped\": true, \"preferred\": [\"node1\", \"node2\"]}"));
        ok(send("POST", "/groups/api/resources", ADMIN, ADMIN_PW, Json.write(Map.of("name", "api-server", "type", "process",
                "parameters", Map.of("command", "exec " + python + " " + lab.dir().resolve("vigil-demo-web.py") + " 127.0.0.1 "
                        + webPort, "check-http", "http://127.0.0.1:" + webPort + "/", "check-timeout", "500ms",
                        "stop-signal", "TERM")))));
        Map<String, Object> in = operation(send("POST", "/groups/api/bring-in", ADMIN, ADMIN_PW, "{\"node\": \"node1\", \"wait\": 30}"));
        assertThat(in).as("bring-in").containsEntry("state", "succeeded");
        await("node1 serves", () -> "node1".equals(Http.servedBy(webPort)));

        HttpResponse<String> accepted = send("POST", "/groups/api/switchover", ADMIN, ADMIN_PW, "{\"node\": \"node2\"}");
        Map<String, Object> sw = operation(accepted);
        assertThat(sw).as("switchover").containsEntry("state", "succeeded").containsEntry("user", ADMIN);
        assertThat((String) sw.get("output")).contains("switchover of api from node1 to node2");
        assertThat(Http.servedBy(webPort)).as("the service answers from node2").isEqualTo("node2");
        Map<String, Object> status = Json.parseObject(send("GET", "/status", VIEWER, VIEWER_PW, null).body());
        Map<?, ?> api = ((List<?>) status.get("groups")).stream().map(g -> (Map<?, ?>) g)
                .filter(g -> "api".equals(g.get("name"))).findFirst().orElseThrow();
        assertThat(api.get("runningOn")).isEqualTo(List.of("node2"));
        assertThat(lab.cliOk("node2", "vigil:status")).containsPattern("api\\s+on node2\\s");
    }

    @Test
    @Order(6)
    void theAuditLogNamesTheUserOfEveryChangeAndEveryRefusal() throws IOException {
        String audit = auditLog();
        assertThat(audit).containsPattern("user=operator from=127\\.0\\.0\\.1 POST /api/v1/groups/api/switchover "
                + "vigil:switchover --wait 60 api node2 -> 202 operation op-\\d+")
                .containsPattern("user=operator .* vigil:switchover --wait 60 api node2 -> operation op-\\d+ succeeded")
                .containsPattern("user=operator .* vigil:group-add --stopped --preferred node1,node2 api -> 200")
                .containsPattern("user=viewer .* POST /api/v1/groups refused 403: read-only user")
                .containsPattern("user=operator .* POST /api/v1/groups refused 400: unknown parameter 'colour'")
                .containsPattern("user=nobody-here .* refused 401: login failed");
        assertThat(audit).doesNotContain(VIEWER_PW).doesNotContain(ADMIN_PW);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("data/log/vigil-audit.log"))))
                .isEqualTo("rw-------");
    }

    @Test
    @Order(7)
    void repeatedFailedLoginsAreDelayedThenRefused() throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "/status", ADMIN, "guess-" + i, null).statusCode()).isEqualTo(401);
        }
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertThat(took).as("three failed logins take at least 250 + 500 + 1000 ms").isGreaterThanOrEqualTo(1750);
        HttpResponse<String> locked = send("GET", "/status", ADMIN, ADMIN_PW, null);
        assertThat(locked.statusCode()).as("even the right password, once locked out: %s", locked.body()).isEqualTo(429);
        assertThat(lab.cliOk(NODE, "vigil:rest")).contains("failed logins since start: 5");
        assertThat(lab.cliOk(NODE, "vigil:status")).as("the cluster runs on").containsPattern("api\\s+on node2\\s");
    }

    @Test
    @Order(8)
    void uninstalledTheFeatureListensNoMore() {
        lab.cliOk(NODE, "feature:uninstall vigil-rest");
        long pid = lab.jvmPid(NODE);
        await("only SSH listening", () -> RestAccess.listening(pid).equals(Set.of("127.0.0.1:" + sshPort)));
        assertThat(lab.cliOk(NODE, "vigil:status")).as("the cluster runs on").containsPattern("api\\s+on node2\\s");
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<String> send(String method, String path, String user, String password, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", RestAccess.basicAuth(user, password));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** @return the operation a 202 answer started, polled until it ended (bounded) */
    private static Map<String, Object> operation(HttpResponse<String> accepted) throws Exception {
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        assertThat(Json.parseObject(accepted.body())).containsEntry("state", "running").containsEntry("location", location);
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<String, Object> op = Map.of();
        while (System.nanoTime() < end) {
            HttpResponse<String> r = send("GET", location.substring("/api/v1".length()), VIEWER, VIEWER_PW, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            op = Json.parseObject(r.body());
            if (!"running".equals(op.get("state"))) {
                return op;
            }
            Lab.sleep(250);
        }
        throw new AssertionError("operation still running after 90 s: " + op);
    }

    /** @return the python the lab runs the demo service with (lab.env), python3 by default */
    private static String labPython() throws IOException {
        return Files.readAllLines(lab.dir().resolve("lab.env")).stream().filter(l -> l.startsWith("LAB_PYTHON="))
                .map(l -> l.substring("LAB_PYTHON=".length()).strip()).filter(v -> !v.isEmpty()).findFirst().orElse("python3");
    }

    private static String document() throws Exception {
        HttpResponse<String> r = send("GET", "/document", VIEWER, VIEWER_PW, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static List<Object> names(List<?> list) {
        return list.stream().map(o -> ((Map<?, ?>) o).get("name")).map(Object.class::cast).toList();
    }

    private static String auditLog() {
        try {
            Path f = home.resolve("data/log/vigil-audit.log");
            return Files.exists(f) ? Files.readString(f) : "(none)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return what a plain-text HTTP request to the API's port gets back (up to 5 s, at most 4 KiB) */
    private static String plainHttp() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", restPort), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            try {
                return new String(in.readNBytes(4096), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                return "(" + e.getMessage() + ")";
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        RestAccess.await(what, WAIT, condition);
    }

    /** A TLS context that trusts exactly the certificate with this SHA-256 fingerprint, as an admin pins it. */
    private static SSLContext pinned(String fingerprint) throws Exception {
        X509ExtendedTrustManager tm = new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                try {
                    String f = HexFormat.ofDelimiter(":").withUpperCase()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
                    if (!f.equals(fingerprint)) {
                        throw new CertificateException("certificate " + f + " is not the pinned " + fingerprint);
                    }
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new CertificateException(e);
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("no client certificates");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("no client certificates");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("no client certificates");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
        return ctx;
    }
}
