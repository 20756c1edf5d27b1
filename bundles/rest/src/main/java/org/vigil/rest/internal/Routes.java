package org.vigil.rest.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The route table: from a request (method, path, query, body) to what it asks, with every parameter checked. Pure:
 * no I/O, so each route is unit-tested. Changes map one to one onto the {@code vigil:*} shell commands (the same
 * validation and messages); the table is the only place a command name or option name comes from.
 */
final class Routes {

    /** The API's path prefix. */
    static final String PREFIX = "/api/v1";
    /** Seconds a switchover waits for the group on its target when the request gives no {@code wait}. */
    static final long DEFAULT_SWITCHOVER_WAIT = 60;
    static final long MAX_WAIT = 3600;

    private Routes() {
    }

    /** What a request asks for. */
    sealed interface Route permits Read, Change, OperationList, OperationLookup, Text {
        /** @return true when only a user with the admin role may ask it */
        default boolean changes() {
            return this instanceof Change;
        }
    }

    /** A read: the command's output, JSON passed through or text wrapped as {@code {"output": ...}}. */
    record Read(ShellCall call, boolean json) implements Route {
    }

    /** A read answered with the command's output as it is, of a media type (the metrics of vigil-metrics). */
    record Text(ShellCall call, String contentType) implements Route {
    }

    /** The media type of {@code vigil:metrics}: the Prometheus text format. */
    static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** A change: one shell command, answered at once or (long running) as an operation to poll. */
    record Change(ShellCall call) implements Route {
    }

    /** The list of operations. */
    record OperationList() implements Route {
    }

    /** One operation by id. */
    record OperationLookup(String id) implements Route {
    }

    /**
     * @param method the HTTP method
     * @param rawPath the request path, still URL-encoded
     * @param query  the raw query string, or null
     * @param body   the body, or null
     * @return the route
     * @throws ApiError 404 unknown endpoint, 405 wrong method, 400 a bad parameter (named)
     */
    static Route route(String method, String rawPath, String query, String body) throws ApiError {
        List<String> seg = segments(rawPath);
        String m = method.toUpperCase();
        Params p = Params.of(query, body);
        String endpoint = m + " " + rawPath;
        Route r = switch (seg.size()) {
            case 1 -> top(m, seg.get(0), p);
            case 2 -> second(m, seg.get(0), seg.get(1), p);
            case 3 -> third(m, seg.get(0), seg.get(1), seg.get(2), p);
            default -> null;
        };
        if (r == null) {
            throw new ApiError(404, null, "no endpoint " + endpoint + " (see the endpoints in bundles/rest/README.md)");
        }
        p.done(endpoint);
        return r;
    }

    private static Route top(String m, String s, Params p) throws ApiError {
        return switch (s) {
            case "status" -> read(m, "GET", new Read(new ShellCall.Builder("status").option("--json").build(), true));
            case "document" -> read(m, "GET", new Read(new ShellCall.Builder("document").build(), true));
            case "alerts" -> read(m, "GET", new Read(new ShellCall.Builder("alerts").build(), false));
            case "metrics" -> read(m, "GET", new Text(new ShellCall.Builder("metrics").build(), METRICS_TYPE));
            case "operations" -> read(m, "GET", new OperationList());
            case "groups" -> {
                method(m, "POST");
                ShellCall.Builder b = new ShellCall.Builder("group-add");
                String name = p.required("name");
                if (p.flag("stopped")) {
                    b.option("--stopped");
                }
                groupOptions(b, p);
                yield new Change(b.value(name).build());
            }
            case "maintenance" -> {
                method(m, "POST");
                String mode = p.required("mode");
                if (!mode.equals("on") && !mode.equals("off")) {
                    throw ApiError.badRequest("mode", "parameter 'mode' must be on or off (got '" + mode + "')");
                }
                String group = p.argument("group");
                yield new Change(new ShellCall.Builder("maintenance").option("--group", group).value(mode).group(group).build());
            }
            default -> null;
        };
    }

    private static Route second(String m, String a, String b, Params p) throws ApiError {
        return switch (a) {
            case "operations" -> read(m, "GET", new OperationLookup(b));
            case "groups" -> {
                String g = Params.argument("group", b);
                if (m.equals("PATCH")) {
                    ShellCall.Builder c = new ShellCall.Builder("group-set").group(g);
                    groupOptions(c, p);
                    yield new Change(c.value(g).build());
                }
                method(m, "DELETE");
                ShellCall.Builder c = new ShellCall.Builder("group-remove").group(g);
                if (p.flag("force")) {
                    c.option("--force");
                }
                yield new Change(c.value(g).build());
            }
            case "resources" -> {
                String r = Params.argument("resource", b);
                if (m.equals("PATCH")) {
                    ShellCall.Builder c = new ShellCall.Builder("resource-set");
                    String unset = p.list("unset");
                    if (unset != null) {
                        for (String u : unset.split(",")) {
                            c.option("--unset", Params.argument("unset", u.trim()));
                        }
                    }
                    c.value(r);
                    p.assignments("parameters").forEach(c::value);
                    yield new Change(c.build());
                }
                method(m, "DELETE");
                yield new Change(new ShellCall.Builder("resource-remove").value(r).build());
            }
            default -> null;
        };
    }

    private static Route third(String m, String a, String b, String c, Params p) throws ApiError {
        if (a.equals("groups")) {
            String g = Params.argument("group", b);
            switch (c) {
                case "resources" -> {
                    method(m, "POST");
                    ShellCall.Builder s = new ShellCall.Builder("resource-add").group(g);
                    String name = p.required("name");
                    String type = p.required("type");
                    s.option("--before", p.argument("before"));
                    List<String> params = p.assignments("parameters");
                    s.value(g).value(name).value(type);
                    params.forEach(s::value);
                    return new Change(s.build());
                }
                case "bring-in" -> {
                    method(m, "POST");
                    String node = p.argument("node");
                    Long wait = p.integer("wait", 0, MAX_WAIT);
                    boolean waits = wait != null && wait > 0;
                    return new Change(new ShellCall.Builder("bring-in").group(g).longRunning(waits)
                            .option("--wait", waits ? wait : null).value(g).value(node).build());
                }
                case "bring-out", "cleanup" -> {
                    method(m, "POST");
                    return new Change(new ShellCall.Builder(c).group(g).value(g).build());
                }
                case "switchover" -> {
                    method(m, "POST");
                    String node = p.argument("node");
                    Long wait = p.integer("wait", 1, MAX_WAIT);
                    return new Change(new ShellCall.Builder("switchover").group(g).longRunning(true)
                            .option("--wait", wait == null ? DEFAULT_SWITCHOVER_WAIT : wait).value(g).value(node).build());
                }
                default -> {
                    return null;
                }
            }
        }
        if (a.equals("nodes")) {
            String node = Params.argument("node", b);
            switch (c) {
                case "fence" -> {
                    method(m, "POST");
                    ShellCall.Builder s = new ShellCall.Builder("fence").longRunning(true);
                    if (p.flag("status")) {
                        s.option("--status");
                    }
                    s.option("--wait", p.integer("wait", 1, MAX_WAIT));
                    return new Change(s.value(node).build());
                }
                case "fence-confirm" -> {
                    method(m, "POST");
                    return new Change(new ShellCall.Builder("fence-confirm").value(node).build());
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    private static void groupOptions(ShellCall.Builder b, Params p) throws ApiError {
        b.option("--preferred", p.list("preferred"));
        String failback = p.string("failback");
        if (failback != null && !failback.equals("manual") && !failback.equals("auto")) {
            throw ApiError.badRequest("failback", "parameter 'failback' must be manual or auto (got '" + failback + "')");
        }
        b.option("--failback", failback);
        b.option("--failback-delay", p.integer("failbackDelay", 0, 86_400));
        b.option("--max-restarts", p.integer("maxRestarts", 0, 1000));
        b.option("--restart-window", p.integer("restartWindow", 1, 86_400));
    }

    private static Route read(String m, String expected, Route r) throws ApiError {
        method(m, expected);
        return r;
    }

    private static void method(String m, String expected) throws ApiError {
        if (!m.equals(expected)) {
            throw new ApiError(405, null, "method " + m + " not allowed here (use " + expected + ")");
        }
    }

    /** @return the decoded path segments after {@link #PREFIX}; 404 outside it */
    static List<String> segments(String rawPath) throws ApiError {
        if (rawPath == null || !(rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/"))) {
            throw new ApiError(404, null, "no endpoint " + rawPath + " (the API is under " + PREFIX + "/)");
        }
        List<String> out = new ArrayList<>();
        for (String s : rawPath.substring(PREFIX.length()).split("/")) {
            if (!s.isEmpty()) {
                String d = URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
                if (d.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                    throw ApiError.badRequest(null, "control characters in the path");
                }
                out.add(d);
            }
        }
        return out;
    }
}
