package org.vigil.rest.internal;

import java.util.List;
import java.util.Map;
import org.vigil.plugin.support.json.JsonParser;

/**
 * The little JSON the API needs: request bodies in (objects of strings, numbers, booleans, arrays and objects of
 * those, read by plugin-support's {@link JsonParser}) and small answers out. The status and the cluster document
 * come from the shell commands already written as JSON by the core and pass through untouched. Why not a library:
 * docs/adr/0006-rest-api-on-the-jdk-https-server.md.
 */
final class JsonText {

    /** Bodies larger than this are refused before parsing. */
    static final int MAX_BODY = 64 * 1024;
    private static final int MAX_DEPTH = 16;

    /** A body that is not JSON: the message says where. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private JsonText() {
    }

    /**
     * @param text a JSON text
     * @return its value: Map (ordered), List, String, Long, Double, Boolean or null
     * @throws Malformed naming the offset of the first error
     */
    static Object parse(String text) throws Malformed {
        try {
            return JsonParser.parse(text, MAX_DEPTH);
        } catch (JsonParser.Malformed e) {
            throw new Malformed(e.getMessage());
        }
    }

    /**
     * @param v a Map, List, String, Number, Boolean or null; anything else is written as its string
     * @return compact JSON, every control character escaped
     */
    static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ",");
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int k = 0; k < l.size(); k++) {
                b.append(k == 0 ? "" : ",");
                write(b, l.get(k));
            }
            b.append(']');
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
