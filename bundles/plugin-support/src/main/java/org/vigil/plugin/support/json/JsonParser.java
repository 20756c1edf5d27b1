package org.vigil.plugin.support.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader for the bundles outside the core that read JSON (the REST API's request bodies, the metrics
 * bundle's {@code vigil:status --json}): objects become ordered maps, arrays lists, numbers {@link Long} (up to 18
 * digits) or {@link Double}. It refuses what is not JSON (trailing commas, control characters in strings, unknown
 * escapes, a member given twice, text after the value) and nesting deeper than the caller allows, naming the offset.
 * The core keeps its own reader ({@code org.vigil.core.internal.json}); why hand-written: docs/adr/0001.
 */
public final class JsonParser {

    /** A text that is not JSON (or nested too deep): the message names the offset and what is wrong. */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;
        private final String what;

        Malformed(int offset, String what) {
            super("malformed JSON at offset " + offset + ": " + what);
            this.offset = offset;
            this.what = what;
        }

        /** @return where in the text the error is (0-based) */
        public int offset() {
            return offset;
        }

        /** @return what is wrong there, without the offset */
        public String what() {
            return what;
        }
    }

    private final String s;
    private final int maxDepth;
    private int i;
    private int depth;

    private JsonParser(String s, int maxDepth) {
        this.s = s;
        this.maxDepth = maxDepth;
    }

    /**
     * @param text     a JSON text
     * @param maxDepth how many arrays and objects may nest
     * @return its value: Map (ordered), List, String, Long, Double, Boolean or null
     * @throws Malformed naming the offset of the first error
     */
    public static Object parse(String text, int maxDepth) throws Malformed {
        JsonParser p = new JsonParser(text, maxDepth);
        p.skip();
        Object v = p.value();
        p.skip();
        if (p.i != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    private Malformed error(String what) {
        return new Malformed(i, what);
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
        if (++depth > maxDepth) {
            throw error("nested deeper than " + maxDepth + " levels");
        }
    }
}
