package org.vigil.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.security.auth.Subject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's server side, each part alone: sessions (expiry, bound, cookie, CSRF), the status stream (only
 * changes sent, its end with the session), and the console's and the API's handlers on the JDK's HTTP server (plain
 * HTTP here; RestServer adds TLS): what is served, with which headers, and what a session without its CSRF token or
 * with the read-only role is refused. The browser test is tests/system ConsoleIT.
 */
class ConsoleTest {

    private static final String STATUS = "{\n  \"schema\": \"vigil-status/1\",\n  \"time\": \"2026-12-07T10:00:00.1Z\",\n"
            + "  \"node\": \"node2\",\n  \"nodes\": [ { \"name\": \"node1\", \"paths\": [ { \"path\": \"lan\", \"up\": true,"
            + " \"heardMillisAgo\": 120 } ] } ],\n  \"paths\": [ { \"name\": \"lan\", \"counters\": { \"accepted\": 17,"
            + " \"malformed\": 0 } } ],\n  \"groups\": [ { \"name\": \"web\", \"runningOn\": [\"node1\"] } ]\n}";

    @TempDir
    Path dir;

    private HttpServer server;
    private ExecutorService requests;
    private ThreadPoolExecutor streams;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private ConsoleSessions sessions;
    private final AtomicReference<ShellRunner.Result> status = new AtomicReference<>(new ShellRunner.Result(0, STATUS, null));
    private HttpClient client;
    private String base;

    @BeforeEach
    void serve() throws Exception {
        RestConfig config = RestConfig.parse(Map.of());
        sessions = new ConsoleSessions(60_000, 600_000, clock::get);
        // a realm nobody configured: every login fails, as a wrong password does
        JaasLogin jaas = new JaasLogin("vigil-test-no-such-realm");
        LoginThrottle throttle = new LoginThrottle(2, () -> System.nanoTime() / 1_000_000);
        AuditLog audit = new AuditLog(dir.resolve("audit.log"));
        streams = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new SynchronousQueue<>());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", new ApiHandler(config, jaas, throttle, new ShellRunner(null), null, audit, sessions));
        server.createContext(ConsoleHandler.PREFIX, new ConsoleHandler(config, jaas, throttle, sessions, s -> status.get(),
                streams, audit));
        requests = Executors.newFixedThreadPool(4);
        server.setExecutor(requests);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void close() {
        server.stop(0);
        streams.shutdownNow();
        requests.shutdownNow();
    }

    @Test
    void sessionsEndWhenIdleOrTooOldAndAreBoundedInNumber() {
        ConsoleSessions s = new ConsoleSessions(1000, 5000, clock::get);
        ConsoleSessions.Session a = s.create(user("alice"), true);
        String header = "other=1; " + ConsoleSessions.COOKIE + "=" + a.id + "; more=2";
        assertThat(s.find(header)).isSameAs(a);
        clock.addAndGet(900);
        assertThat(s.find(header)).as("used within the idle time").isSameAs(a);
        clock.addAndGet(900);
        assertThat(s.find(header)).as("used again").isSameAs(a);
        clock.addAndGet(1001);
        assertThat(s.find(header)).as("idle too long").isNull();

        ConsoleSessions.Session b = s.create(user("bob"), false);
        String hb = ConsoleSessions.COOKIE + "=" + b.id;
        for (int i = 0; i < 6; i++) {
            clock.addAndGet(900);
            s.find(hb);
        }
        assertThat(s.find(hb)).as("used all along, but older than its maximum age").isNull();
        assertThat(s.find(ConsoleSessions.COOKIE + "=" + b.id + "x")).isNull();
        assertThat(s.find(null)).isNull();

        ConsoleSessions.Session first = s.create(user("first"), false);
        for (int i = 0; i < ConsoleSessions.MAX_SESSIONS; i++) {
            s.create(user("u" + i), false);
        }
        assertThat(s.size()).isEqualTo(ConsoleSessions.MAX_SESSIONS);
        assertThat(s.find(ConsoleSessions.COOKIE + "=" + first.id)).as("the one used longest ago is dropped").isNull();
    }

    @Test
    void theCookieIsHttpOnlySecureStrictAndTheCsrfTokenIsCheckedExactly() {
        ConsoleSessions.Session a = sessions.create(user("alice"), true);
        assertThat(sessions.cookie(a)).startsWith(ConsoleSessions.COOKIE + "=" + a.id + ";")
                .contains("; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=600");
        assertThat(ConsoleSessions.expiredCookie()).contains("Max-Age=0");
        assertThat(a.id).isNotEqualTo(a.csrf).hasSizeGreaterThanOrEqualTo(43);
        assertThat(ConsoleSessions.csrfMatches(a, a.csrf)).isTrue();
        assertThat(ConsoleSessions.csrfMatches(a, null)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(a, a.id)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(a, a.csrf + "x")).isFalse();
    }

    @Test
    void theStreamIgnoresAgesCountersAndTheTimeButNotAMove() {
        String later = STATUS.replace("10:00:00.1Z", "10:00:00.4Z").replace("120", "370").replace("17", "21");
        assertThat(StatusStream.stable(later)).isEqualTo(StatusStream.stable(STATUS));
        String moved = later.replace("[\"node1\"]", "[\"node2\"]");
        assertThat(StatusStream.stable(moved)).isNotEqualTo(StatusStream.stable(STATUS));
        assertThat(StatusStream.event("status", "{\n  \"a\": 1\n}")).isEqualTo("event: status\ndata: {\ndata:   \"a\": 1\ndata: }\n\n");
    }

    @Test
    void thePageIsServedFromTheBundleWithItsSecurityHeadersAndNothingElse() throws Exception {
        HttpResponse<String> page = get("/console/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"console.js\"").doesNotContain("http://").doesNotContain("https://");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(ConsoleHandler.CSP);
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        for (String f : List.of("console.js", "console.css")) {
            HttpResponse<String> r = get("/console/" + f, null);
            assertThat(r.statusCode()).as(f).isEqualTo(200);
            assertThat(r.body()).as("%s loads nothing from elsewhere", f).doesNotContain("http://").doesNotContain("https://");
        }
        assertThat(get("/console", null).statusCode()).isEqualTo(303);
        assertThat(get("/console/../etc/users.properties", null).statusCode()).isIn(401, 404);
        assertThat(get("/console/RestServer.class", null).statusCode()).isEqualTo(404);
        assertThat(get("/console/session", null).statusCode()).as("no session").isEqualTo(401);
        assertThat(get("/console/events", null).statusCode()).as("no stream without a session").isEqualTo(401);
        assertThat(send("POST", "/console/console.js", null, null, "").statusCode()).isEqualTo(405);
    }

    @Test
    void aFailedLoginGivesNoCookieAndRepeatedOnesAreRefused() throws Exception {
        HttpResponse<String> r = send("POST", "/console/login", null, null, "{\"user\": \"alice\", \"password\": \"guess\"}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(send("POST", "/console/login", null, null, "{\"user\": \"alice\"}").statusCode()).as("no password").isEqualTo(400);
        assertThat(send("POST", "/console/login", null, null, "{\"user\": \"alice\", \"password\": \"again\"}").statusCode())
                .isEqualTo(401);
        assertThat(send("POST", "/console/login", null, null, "{\"user\": \"alice\", \"password\": \"more\"}").statusCode())
                .as("past login.max-failures").isEqualTo(429);
        assertThat(Files.readString(dir.resolve("audit.log"))).contains("user=alice", "POST /console/login refused 401")
                .doesNotContain("guess");
    }

    @Test
    void aChangeFromASessionNeedsItsCsrfTokenAndTheAdminRole() throws Exception {
        ConsoleSessions.Session admin = sessions.create(user("alice"), true);
        ConsoleSessions.Session viewer = sessions.create(new JaasLogin.User("victor", new Subject(), Set.of("vigil-viewer")), false);
        HttpResponse<String> forged = send("POST", "/api/v1/maintenance", cookie(admin), null, "{\"mode\": \"on\"}");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains(ConsoleSessions.CSRF_HEADER);
        assertThat(send("POST", "/api/v1/maintenance", cookie(admin), viewer.csrf, "{\"mode\": \"on\"}").statusCode())
                .as("another session's token").isEqualTo(403);
        HttpResponse<String> readOnly = send("POST", "/api/v1/maintenance", cookie(viewer), viewer.csrf, "{\"mode\": \"on\"}");
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.body()).contains("may only read");
        assertThat(send("POST", "/console/logout", cookie(admin), null, "").statusCode()).as("logout without the token")
                .isEqualTo(403);
        HttpResponse<String> out = send("POST", "/console/logout", cookie(admin), admin.csrf, "");
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
        assertThat(get("/console/session", cookie(admin)).statusCode()).as("logged out").isEqualTo(401);
        assertThat(Files.readString(dir.resolve("audit.log"))).contains("user=alice", "console session without its CSRF token");
    }

    @Test
    void theStreamSendsEachChangeOnceAndEndsWithItsSession() throws Exception {
        ConsoleSessions.Session s = sessions.create(user("alice"), false);
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(base + "/console/events").toURL().openConnection();
        c.setRequestProperty("Cookie", cookie(s));
        c.setReadTimeout(10_000);
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.getContentType()).startsWith("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(nextEvent(in)).as("the reconnect delay").containsExactly("retry: 1000");
            List<String> first = nextEvent(in);
            assertThat(first.get(0)).isEqualTo("event: status");
            assertThat(String.join("\n", first)).contains("data:   \"groups\": [ { \"name\": \"web\", \"runningOn\": [\"node1\"] } ]");
            // ages and counters move: nothing sent; then the group moves: sent
            status.set(new ShellRunner.Result(0, STATUS.replace("120", "380").replace("17", "30"), null));
            Thread.sleep(3 * StatusStream.POLL_MS);
            status.set(new ShellRunner.Result(0, STATUS.replace("[\"node1\"]", "[\"node2\"]"), null));
            List<String> second = nextEvent(in);
            assertThat(String.join("\n", second)).as("the next event is the move").contains("[\"node2\"]");
            // a second console while the pool (1 stream here) is full: 503, the first goes on
            assertThat(get("/console/events", cookie(sessions.create(user("bob"), false))).statusCode()).isEqualTo(503);
            sessions.end(s);
            assertThat(nextEvent(in)).first().isEqualTo("event: ended");
            assertThat(in.readLine()).as("the stream closed").isNull();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> nextEvent(BufferedReader in) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String l = in.readLine(); l != null; l = in.readLine()) {
            if (l.isEmpty()) {
                if (!lines.isEmpty()) {
                    return lines;
                }
            } else if (!l.startsWith(":")) {
                lines.add(l);
            }
        }
        return lines;
    }

    private static JaasLogin.User user(String name) {
        return new JaasLogin.User(name, new Subject(), Set.of("vigil-admin"));
    }

    private static String cookie(ConsoleSessions.Session s) {
        return ConsoleSessions.COOKIE + "=" + s.id;
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        return send("GET", path, cookie, null, null);
    }

    private HttpResponse<String> send(String method, String path, String cookie, String csrf, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (csrf != null) {
            b.header(ConsoleSessions.CSRF_HEADER, csrf);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
