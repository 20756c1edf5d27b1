package org.vigil.rest.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of one request: the members of its JSON body object and its query string. Each getter takes one
 * parameter and checks its type; {@link #done()} refuses any parameter nobody took, so a misspelt option is an
 * error that names it rather than silently ignored.
 */
final class Params {

    private final Map<String, Object> values;
    private final Set<String> taken = new LinkedHashSet<>();

    private Params(Map<String, Object> values) {
        this.values = values;
    }

    /**
     * @param query the raw query string, or null
     * @param body  the request body, or null/blank for none
     * @throws ApiError 400 when the body is not one JSON object, is too large or repeats a query parameter
     */
    @SuppressWarnings("unchecked")
    static Params of(String query, String body) throws ApiError {
        Map<String, Object> v = new LinkedHashMap<>();
        if (body != null && !body.isBlank()) {
            if (body.length() > JsonText.MAX_BODY) {
                throw ApiError.badRequest(null, "the request body is larger than " + JsonText.MAX_BODY + " characters");
            }
            Object parsed;
            try {
                parsed = JsonText.parse(body);
            } catch (JsonText.Malformed e) {
                throw ApiError.badRequest("body", "the request body is not valid JSON: " + e.getMessage());
            }
            if (!(parsed instanceof Map)) {
                throw ApiError.badRequest("body", "the request body must be a JSON object ({...})");
            }
            v.putAll((Map<String, Object>) parsed);
        }
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String val = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (v.containsKey(k)) {
                    throw ApiError.badRequest(k, "parameter '" + k + "' given twice");
                }
                v.put(k, val);
            }
        }
        return new Params(v);
    }

    /** @return the string, or null when absent */
    String string(String name) throws ApiError {
        Object o = take(name);
        if (o == null) {
            return null;
        }
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof Long || o instanceof Boolean) {
            return o.toString();
        }
        throw ApiError.badRequest(name, "parameter '" + name + "' must be a string");
    }

    /** @return the string, which must be present, non-empty and not look like an option */
    String required(String name) throws ApiError {
        String s = string(name);
        if (s == null) {
            throw ApiError.badRequest(name, "parameter '" + name + "' is required");
        }
        return argument(name, s);
    }

    /** @return the string (absent: null), which must be non-empty and not look like an option */
    String argument(String name) throws ApiError {
        String s = string(name);
        return s == null ? null : argument(name, s);
    }

    /** Checks a value that becomes a positional argument of a command. */
    static String argument(String name, String s) throws ApiError {
        if (s.isEmpty()) {
            throw ApiError.badRequest(name, "parameter '" + name + "' must not be empty");
        }
        if (s.startsWith("-")) {
            throw ApiError.badRequest(name, "parameter '" + name + "' must not start with '-' (got '" + s + "')");
        }
        return s;
    }

    /** @return the whole number (absent: null) within [min, max] */
    Long integer(String name, long min, long max) throws ApiError {
        Object o = take(name);
        if (o == null) {
            return null;
        }
        long n;
        if (o instanceof Long l) {
            n = l;
        } else if (o instanceof String s && s.matches("-?[0-9]{1,18}")) {
            n = Long.parseLong(s);
        } else {
            throw ApiError.badRequest(name, "parameter '" + name + "' must be a whole number (got " + JsonText.write(o) + ")");
        }
        if (n < min || n > max) {
            throw ApiError.badRequest(name, "parameter '" + name + "' must be between " + min + " and " + max + " (got " + n + ")");
        }
        return n;
    }

    /** @return the boolean, false when absent */
    boolean flag(String name) throws ApiError {
        Object o = take(name);
        if (o == null) {
            return false;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof String s && (s.equals("true") || s.equals("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw ApiError.badRequest(name, "parameter '" + name + "' must be true or false (got " + JsonText.write(o) + ")");
    }

    /** @return a list of names given as a JSON array of strings or one comma-separated string; null when absent */
    String list(String name) throws ApiError {
        Object o = take(name);
        if (o == null) {
            return null;
        }
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object e : l) {
                if (!(e instanceof String s) || s.isEmpty() || s.contains(",")) {
                    throw ApiError.badRequest(name, "parameter '" + name + "' must hold non-empty names without commas");
                }
                out.add(s);
            }
            return String.join(",", out);
        }
        throw ApiError.badRequest(name, "parameter '" + name + "' must be an array of names or a comma-separated string");
    }

    /** @return the object of string values as {@code key=value} arguments, in order; empty when absent */
    List<String> assignments(String name) throws ApiError {
        Object o = take(name);
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw ApiError.badRequest(name, "parameter '" + name + "' must be an object of name: value");
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = e.getKey().toString();
            if (!k.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw ApiError.badRequest(name + "." + k, "parameter name '" + k + "' in '" + name
                        + "' must be letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            Object v = e.getValue();
            if (!(v instanceof String) && !(v instanceof Long) && !(v instanceof Boolean)) {
                throw ApiError.badRequest(name + "." + k, "value of '" + k + "' in '" + name + "' must be a string");
            }
            out.add(k + "=" + v);
        }
        return out;
    }

    /** @throws ApiError 400 naming the first parameter no getter took */
    void done(String endpoint) throws ApiError {
        for (String k : values.keySet()) {
            if (!taken.contains(k)) {
                throw ApiError.badRequest(k, "unknown parameter '" + k + "' for " + endpoint
                        + (taken.isEmpty() ? " (it takes none)" : " (it takes: " + String.join(", ", taken) + ")"));
            }
        }
    }

    private Object take(String name) {
        taken.add(name);
        return values.get(name);
    }
}
