package org.vigil.core.internal.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a parsed JSON object, with errors that name the offending field, so a malformed
 * document or frame is reported precisely and never half-applied.
 */
public final class JsonReader {

    private final Map<String, Object> map;
    private final String where;

    /** @param map a parsed object; @param where a description of it for error messages */
    public JsonReader(Map<String, Object> map, String where) {
        this.map = map;
        this.where = where;
    }

    /** @return the underlying map */
    public Map<String, Object> map() {
        return map;
    }

    /** @param key a field; @return true when present and not null */
    public boolean has(String key) {
        return map.get(key) != null;
    }

    /** @param key a required string field; @return its value */
    public String string(String key) {
        Object v = map.get(key);
        if (!(v instanceof String s)) {
            throw error(key, v == null ? "is missing" : "must be a string");
        }
        return s;
    }

    /** @param key an optional string field; @param def default; @return its value or the default */
    public String string(String key, String def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof String s)) {
            throw error(key, "must be a string");
        }
        return s;
    }

    /** @param key an optional integer field; @param def default; @return its value or the default */
    public long number(String key, long def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Long l)) {
            throw error(key, "must be a whole number");
        }
        return l;
    }

    /** @param key an optional boolean field; @param def default; @return its value or the default */
    public boolean bool(String key, boolean def) {
        Object v = map.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Boolean b)) {
            throw error(key, "must be true or false");
        }
        return b;
    }

    /** @param key an optional array of strings; @return its elements (empty when absent) */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (Object o : list(key)) {
            if (!(o instanceof String s)) {
                throw error(key, "must hold only strings");
            }
            out.add(s);
        }
        return out;
    }

    /** @param key an optional array; @return its elements (empty when absent) */
    public List<Object> list(String key) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw error(key, "must be an array");
        }
        return new ArrayList<>(l);
    }

    /** @param key an optional array of objects; @return readers for its elements */
    @SuppressWarnings("unchecked")
    public List<JsonReader> objects(String key) {
        List<JsonReader> out = new ArrayList<>();
        int n = 0;
        for (Object o : list(key)) {
            if (!(o instanceof Map)) {
                throw error(key, "must hold only objects");
            }
            out.add(new JsonReader((Map<String, Object>) o, where + "." + key + "[" + n++ + "]"));
        }
        return out;
    }

    /** @param key an optional object field; @return a reader for it (empty when absent) */
    @SuppressWarnings("unchecked")
    public JsonReader object(String key) {
        Object v = map.get(key);
        if (v == null) {
            return new JsonReader(new LinkedHashMap<>(), where + "." + key);
        }
        if (!(v instanceof Map)) {
            throw error(key, "must be an object");
        }
        return new JsonReader((Map<String, Object>) v, where + "." + key);
    }

    /** @param key an optional object of string values; @return its entries (empty when absent) */
    public Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(key).map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw error(key + "." + e.getKey(), "must be a string");
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** @param key a field; @param problem what is wrong; @return an exception naming the field */
    public IllegalArgumentException error(String key, String problem) {
        return new IllegalArgumentException(where + "." + key + " " + problem);
    }
}
