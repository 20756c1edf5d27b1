package org.vigil.rest.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console under {@value #PREFIX}: its static page (from this bundle, nothing from elsewhere), the login that
 * trades a JAAS login for a console session, the logout, and the stream of status changes (server-sent events). The
 * page's actions go to the REST API with the session cookie and its CSRF token ({@link ApiHandler}), so the same
 * checks, roles and audit apply. Closing the page only ends its stream.
 */
final class ConsoleHandler implements HttpHandler {

    static final String PREFIX = "/console";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
    /** The page's files: name to content type. Nothing else is served. */
    private static final Map<String, String> FILES = Map.of("index.html", "text/html; charset=utf-8", "console.js",
            "text/javascript; charset=utf-8", "console.css", "text/css; charset=utf-8");
    /** Only this bundle's own files, no inline script, no framing. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final RestConfig config;
    private final JaasLogin login;
    private final LoginThrottle throttle;
    private final ConsoleSessions sessions;
    private final StatusStream.Source status;
    private final ExecutorService streams;
    private final AuditLog audit;

    ConsoleHandler(RestConfig config, JaasLogin login, LoginThrottle throttle, ConsoleSessions sessions,
            StatusStream.Source status, ExecutorService streams, AuditLog audit) {
        this.config = config;
        this.login = login;
        this.throttle = throttle;
        this.sessions = sessions;
        this.status = status;
        this.streams = streams;
        this.audit = audit;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        boolean handedOff = false;
        try {
            handedOff = serve(ex);
        } catch (IOException e) {
            LOG.debug("web console: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("web console: {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            json(ex, 500, Map.of("error", "internal error: " + e));
        } finally {
            if (!handedOff) {
                ex.close();
            }
        }
    }

    /** @return true when the exchange was handed to a stream thread, which closes it */
    private boolean serve(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase();
        String path = ex.getRequestURI().getRawPath();
        String address = ex.getRemoteAddress().getAddress().getHostAddress();
        if (path.equals(PREFIX)) {
            ex.getResponseHeaders().set("Location", PREFIX + "/");
            send(ex, 303, "text/plain; charset=utf-8", new byte[0]);
            return false;
        }
        if (!path.startsWith(PREFIX + "/")) {
            json(ex, 404, Map.of("error", "no page " + path));
            return false;
        }
        String rest = path.substring(PREFIX.length() + 1);
        switch (rest) {
            case "", "index.html", "console.js", "console.css" -> {
                if (!method.equals("GET")) {
                    return methodNotAllowed(ex, "GET");
                }
                file(ex, rest.isEmpty() ? "index.html" : rest);
                return false;
            }
            case "login" -> {
                if (!method.equals("POST")) {
                    return methodNotAllowed(ex, "POST");
                }
                login(ex, address);
                return false;
            }
            case "session" -> {
                if (!method.equals("GET")) {
                    return methodNotAllowed(ex, "GET");
                }
                ConsoleSessions.Session s = sessions.find(ex.getRequestHeaders().getFirst("Cookie"));
                if (s == null) {
                    json(ex, 401, Map.of("error", "not logged in"));
                } else {
                    json(ex, 200, describe(s));
                }
                return false;
            }
            case "logout" -> {
                if (!method.equals("POST")) {
                    return methodNotAllowed(ex, "POST");
                }
                ConsoleSessions.Session s = sessions.find(ex.getRequestHeaders().getFirst("Cookie"));
                if (s != null && !ConsoleSessions.csrfMatches(s, ex.getRequestHeaders().getFirst(ConsoleSessions.CSRF_HEADER))) {
                    json(ex, 403, Map.of("error", "missing or wrong " + ConsoleSessions.CSRF_HEADER + " header"));
                    return false;
                }
                if (s != null) {
                    sessions.end(s);
                    audit.record(s.user.name(), address, "POST " + path, "console session closed");
                }
                ex.getResponseHeaders().set("Set-Cookie", ConsoleSessions.expiredCookie());
                json(ex, 200, Map.of("loggedOut", true));
                return false;
            }
            case "events" -> {
                if (!method.equals("GET")) {
                    return methodNotAllowed(ex, "GET");
                }
                return events(ex);
            }
            default -> {
                json(ex, 404, Map.of("error", "no page " + path));
                return false;
            }
        }
    }

    private void login(HttpExchange ex, String address) throws IOException {
        String request = "POST " + PREFIX + "/login";
        if (throttle.lockedOut(address)) {
            audit.record(null, address, request, "refused 429: too many failed logins from this address");
            json(ex, 429, Map.of("error", "too many failed logins from " + address + "; try again later"));
            return;
        }
        String name;
        String password;
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(4097);
            if (b.length > 4096) {
                json(ex, 400, Map.of("error", "the login request is larger than 4096 bytes"));
                return;
            }
            Object o = JsonText.parse(new String(b, StandardCharsets.UTF_8));
            if (!(o instanceof Map<?, ?> m) || !(m.get("user") instanceof String u) || !(m.get("password") instanceof String p)
                    || u.isBlank()) {
                json(ex, 400, Map.of("error", "give {\"user\": \"...\", \"password\": \"...\"}"));
                return;
            }
            name = u;
            password = p;
        } catch (JsonText.Malformed e) {
            json(ex, 400, Map.of("error", "the login request is not valid JSON: " + e.getMessage()));
            return;
        }
        JaasLogin.User user = login.login(name, password.toCharArray());
        if (user == null) {
            long delay = throttle.failed(address);
            audit.record(name, address, request, "refused 401: login failed");
            LOG.warn("web console: failed login as '{}' from {}", AuditLog.clean(name), address);
            sleep(delay);
            json(ex, 401, Map.of("error", "login failed: wrong user name or password"));
            return;
        }
        throttle.succeeded(address);
        boolean admin = any(user.roles(), config.adminRoles());
        if (!admin && !any(user.roles(), config.viewerRoles())) {
            audit.record(name, address, request, "refused 403: no role of " + config.viewerRoles() + " or " + config.adminRoles());
            json(ex, 403, Map.of("error", "user " + name + " has none of the roles " + config.viewerRoles() + " or "
                    + config.adminRoles()));
            return;
        }
        ConsoleSessions.Session s = sessions.create(user, admin);
        audit.record(name, address, request, "console session opened (" + (admin ? "admin" : "read-only") + ")");
        ex.getResponseHeaders().set("Set-Cookie", sessions.cookie(s));
        json(ex, 200, describe(s));
    }

    private boolean events(HttpExchange ex) throws IOException {
        ConsoleSessions.Session s = sessions.find(ex.getRequestHeaders().getFirst("Cookie"));
        if (s == null) {
            json(ex, 401, Map.of("error", "not logged in"));
            return false;
        }
        StatusStream stream = new StatusStream(ex, s, sessions, status);
        try {
            streams.execute(stream);
        } catch (RejectedExecutionException e) {
            json(ex, 503, Map.of("error", "too many open consoles on this node; close one and try again"));
            return false;
        }
        return true;
    }

    private static Map<String, Object> describe(ConsoleSessions.Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.user.name());
        m.put("admin", s.admin);
        m.put("csrf", s.csrf);
        return m;
    }

    private void file(HttpExchange ex, String name) throws IOException {
        byte[] body;
        try (InputStream in = ConsoleHandler.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                json(ex, 404, Map.of("error", "no page " + name));
                return;
            }
            body = in.readAllBytes();
        }
        send(ex, 200, FILES.get(name), body);
    }

    private static boolean methodNotAllowed(HttpExchange ex, String allowed) throws IOException {
        ex.getResponseHeaders().set("Allow", allowed);
        json(ex, 405, Map.of("error", "only " + allowed + " here"));
        return false;
    }

    private static boolean any(Set<String> have, Set<String> wanted) {
        return have.stream().anyMatch(wanted::contains);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void json(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", (JsonText.write(body) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void securityHeaders(HttpExchange ex) {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Content-Security-Policy", CSP);
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        securityHeaders(ex);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
