package org.vigil.rest.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request: log in (HTTP Basic against the JAAS realm, throttled), check the role, route, run the shell command
 * or start the operation, answer JSON. Every change asked (accepted or refused) and every failed login goes to the
 * audit log.
 */
final class ApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final RestConfig config;
    private final JaasLogin login;
    private final LoginThrottle throttle;
    private final ShellRunner shell;
    private final Operations operations;
    private final AuditLog audit;
    private final ConsoleSessions consoleSessions;

    ApiHandler(RestConfig config, JaasLogin login, LoginThrottle throttle, ShellRunner shell, Operations operations,
            AuditLog audit, ConsoleSessions consoleSessions) {
        this.config = config;
        this.login = login;
        this.throttle = throttle;
        this.shell = shell;
        this.operations = operations;
        this.audit = audit;
        this.consoleSessions = consoleSessions;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            serve(ex);
        } catch (IOException e) {
            LOG.debug("REST API: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("REST API: {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
            send(ex, 500, error(null, "internal error: " + e));
        } finally {
            ex.close();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase();
        String path = ex.getRequestURI().getRawPath();
        String request = method + " " + path;
        String address = ex.getRemoteAddress().getAddress().getHostAddress();
        boolean change = !method.equals("GET");

        if (throttle.lockedOut(address)) {
            audit.record(null, address, request, "refused 429: too many failed logins from this address");
            send(ex, 429, error(null, "too many failed logins from " + address + "; try again later"));
            return;
        }
        String[] credentials = basic(ex.getRequestHeaders().getFirst("Authorization"));
        // the web console's session (its cookie); a change from it must carry the session's CSRF token
        ConsoleSessions.Session session = credentials == null ? consoleSessions.find(ex.getRequestHeaders().getFirst("Cookie")) : null;
        if (session != null && change
                && !ConsoleSessions.csrfMatches(session, ex.getRequestHeaders().getFirst(ConsoleSessions.CSRF_HEADER))) {
            audit.record(session.user.name(), address, request, "refused 403: console session without its CSRF token");
            send(ex, 403, error(null, "a change from the web console needs the " + ConsoleSessions.CSRF_HEADER + " header"));
            return;
        }
        JaasLogin.User user = session != null ? session.user
                : credentials == null ? null : login.login(credentials[0], credentials[1].toCharArray());
        if (user == null) {
            if (credentials != null) {
                long delay = throttle.failed(address);
                audit.record(credentials[0], address, request, "refused 401: login failed");
                LOG.warn("REST API: failed login as '{}' from {}", AuditLog.clean(credentials[0]), address);
                sleep(delay);
            }
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"vigil\", charset=\"UTF-8\"");
            send(ex, 401, error(null, credentials == null ? "log in (HTTP Basic) with a user of the Karaf realm"
                    : "login failed"));
            return;
        }
        throttle.succeeded(address);
        boolean admin = any(user.roles(), config.adminRoles());
        if (!admin && !any(user.roles(), config.viewerRoles())) {
            if (change) {
                audit.record(user.name(), address, request, "refused 403: no role of " + config.adminRoles());
            }
            send(ex, 403, error(null, "user " + user.name() + " has none of the roles " + config.viewerRoles() + " or "
                    + config.adminRoles()));
            return;
        }
        if (change && !admin) {
            audit.record(user.name(), address, request, "refused 403: read-only user (roles " + user.roles() + ")");
            send(ex, 403, error(null, "user " + user.name() + " may only read: changes need one of the roles "
                    + config.adminRoles()));
            return;
        }
        String body = readBody(ex);
        Routes.Route route;
        try {
            route = body == null ? null : Routes.route(method, path, ex.getRequestURI().getRawQuery(), body);
            if (body == null) {
                throw ApiError.badRequest("body", "the request body is larger than " + JsonText.MAX_BODY + " bytes");
            }
        } catch (ApiError e) {
            if (change) {
                audit.record(user.name(), address, request, "refused " + e.status() + ": " + e.getMessage());
            }
            send(ex, e.status(), JsonText.write(e.body()));
            return;
        }
        if (route instanceof Routes.Read r) {
            read(ex, r, user);
        } else if (route instanceof Routes.Text t) {
            text(ex, t, user);
        } else if (route instanceof Routes.OperationList) {
            List<Object> all = new ArrayList<>();
            operations.all().forEach(o -> all.add(o.toMap()));
            send(ex, 200, JsonText.write(Map.of("operations", all)));
        } else if (route instanceof Routes.OperationLookup l) {
            Operations.Operation o = operations.get(l.id());
            if (o == null) {
                send(ex, 404, error("id", "no operation '" + l.id() + "' (finished operations are kept for "
                        + config.operationAge().toSeconds() + " s)"));
            } else {
                send(ex, 200, JsonText.write(o.toMap()));
            }
        } else if (route instanceof Routes.Change c) {
            change(ex, c.call(), user, address, request);
        }
    }

    private void read(HttpExchange ex, Routes.Read r, JaasLogin.User user) throws IOException {
        ShellRunner.Result res = shell.run(r.call(), user.subject());
        if (!res.ok()) {
            send(ex, res.exit() == ShellRunner.REJECTED ? 400 : 500, error(null, res.error()));
        } else if (r.json()) {
            send(ex, 200, res.output().strip());
        } else {
            send(ex, 200, JsonText.write(Map.of("output", res.output())));
        }
    }

    private void text(HttpExchange ex, Routes.Text t, JaasLogin.User user) throws IOException {
        ShellRunner.Result res = shell.run(t.call(), user.subject());
        if (res.ok()) {
            send(ex, 200, t.contentType(), res.output());
        } else if (res.exit() == ShellRunner.UNKNOWN && String.valueOf(res.error()).contains("Command not found")) {
            send(ex, 404, error(null, "vigil:" + t.call().command() + " is not installed on this node (feature:install vigil-"
                    + t.call().command() + ")"));
        } else {
            send(ex, 500, error(null, res.error()));
        }
    }

    private void change(HttpExchange ex, ShellCall call, JaasLogin.User user, String address, String request)
            throws IOException {
        String command = call.display();
        if (call.group() != null && !groupExists(call.group(), user)) {
            audit.record(user.name(), address, request, command + " -> refused 404: no group named '" + call.group() + "'");
            send(ex, 404, error("group", "no group named '" + call.group() + "'"));
            return;
        }
        if (call.longRunning()) {
            Operations.Operation op;
            try {
                op = operations.submit(user.name(), command, () -> shell.run(call, user.subject()),
                        o -> audit.record(user.name(), address, request, command + " -> operation " + o.id + " "
                                + o.state().label() + describe(o)));
            } catch (ApiError e) {
                audit.record(user.name(), address, request, command + " -> refused " + e.status() + ": " + e.getMessage());
                send(ex, e.status(), JsonText.write(e.body()));
                return;
            }
            audit.record(user.name(), address, request, command + " -> 202 operation " + op.id);
            String location = Routes.PREFIX + "/operations/" + op.id;
            ex.getResponseHeaders().set("Location", location);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("operation", op.id);
            m.put("state", op.state().label());
            m.put("location", location);
            send(ex, 202, JsonText.write(m));
            return;
        }
        ShellRunner.Result res = shell.run(call, user.subject());
        int status = res.ok() ? 200 : res.exit() == ShellRunner.REJECTED ? 400 : res.exit() == ShellRunner.FAILED ? 409 : 500;
        audit.record(user.name(), address, request, command + " -> " + status + (res.ok() ? ": " + res.output().strip()
                : ": " + res.error()));
        if (res.ok()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", command);
            m.put("output", res.output());
            send(ex, 200, JsonText.write(m));
        } else {
            send(ex, status, error(null, res.error()));
        }
    }

    private static String describe(Operations.Operation o) {
        Object err = o.toMap().get("error");
        return err == null ? "" : ": " + err;
    }

    @SuppressWarnings("unchecked")
    private boolean groupExists(String group, JaasLogin.User user) {
        ShellRunner.Result doc = shell.run(new ShellCall.Builder("document").build(), user.subject());
        if (!doc.ok()) {
            return true; // let the command itself answer
        }
        try {
            Object groups = ((Map<String, Object>) JsonText.parse(doc.output().strip())).get("groups");
            if (groups instanceof List<?> l) {
                return l.stream().anyMatch(g -> g instanceof Map<?, ?> m && group.equals(m.get("name")));
            }
        } catch (JsonText.Malformed | ClassCastException e) {
            LOG.warn("REST API: cannot read the cluster document to find group {}: {}", group, e.getMessage());
        }
        return true;
    }

    /** @return the body, "" when none, null when larger than allowed */
    private static String readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(JsonText.MAX_BODY + 1);
            return b.length > JsonText.MAX_BODY ? null : new String(b, StandardCharsets.UTF_8);
        }
    }

    /** @return {user, password} from a Basic authorization header, or null */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String s = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            return colon <= 0 ? null : new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean any(Set<String> have, Set<String> wanted) {
        return have.stream().anyMatch(wanted::contains);
    }

    private static String error(String parameter, String message) {
        return JsonText.write(new ApiError(0, parameter, message).body());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json; charset=utf-8", json + "\n");
    }

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
