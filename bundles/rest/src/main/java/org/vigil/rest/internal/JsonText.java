package org.vigil.rest.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the API needs: request bodies in (objects of strings, numbers, booleans, arrays and objects of
 * those) and small answers out. The status and the cluster document come from the shell commands already written
 * as JSON by the core and pass through untouched. Why not a library: docs/adr/0006-rest-api-on-the-jdk-https-server.md.
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

    private final String s;
    private int i;
    private int depth;

    private JsonText(String s) {
        this.s = s;
    }

    /**
     * @param text a JSON text
     * @return its value: Map (ordered), List, String, Long, Double, Boolean or null
     * @throws Malformed naming the offset of the first error
     */
    static Object parse(String text) throws Malformed {
        JsonText p = new JsonText(text);
        p.skip();
        Object v = p.value();
        p.skip();
        if (p.i != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    private Malformed error(String what) {
        return new Malformed("malformed JSON at offset " + i + ": " + what);
    }

    private void skip() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
    }

    private Object value() throws Malformed {
        if (i >= s.length()) {
            throw error("a value expected, end of text found");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return word("true", Boolean.TRUE);
            case 'f':
                return word("false", Boolean.FALSE);
            case 'n':
                return word("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Object word(String w, Object v) throws Malformed {
        if (!s.startsWith(w, i)) {
            throw error("unexpected text");
        }
        i += w.length();
        return v;
    }

    private Object number() throws Malformed {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String n = s.substring(start, i);
        try {
            if (n.matches("-?(0|[1-9][0-9]{0,17})")) {
                return Long.parseLong(n);
            }
            if (n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                return Double.parseDouble(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        i = start;
        throw error("bad number '" + n + "'");
    }

    private String string() throws Malformed {
        i++;
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                break;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length() || !s.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                        throw error("bad \\u escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
        throw error("unterminated string");
    }

    private List<Object> array() throws Malformed {
        enter();
        i++;
        List<Object> list = new ArrayList<>();
        skip();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            depth--;
            return list;
        }
        while (true) {
            skip();
            list.add(value());
            skip();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else if (i < s.length() && s.charAt(i) == ']') {
                i++;
                depth--;
                return list;
            } else {
                throw error("',' or ']' expected");
            }
        }
    }

    private Map<String, Object> object() throws Malformed {
        enter();
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        skip();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            depth--;
            return m;
        }
        while (true) {
            skip();
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("a member name in double quotes expected");
            }
            String k = string();
            skip();
            if (i >= s.length() || s.charAt(i) != ':') {
                throw error("':' expected");
            }
            i++;
            skip();
            if (m.containsKey(k)) {
                throw error("member '" + k + "' given twice");
            }
            m.put(k, value());
            skip();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else if (i < s.length() && s.charAt(i) == '}') {
                i++;
                depth--;
                return m;
            } else {
                throw error("',' or '}' expected");
            }
        }
    }

    private void enter() throws Malformed {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
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
