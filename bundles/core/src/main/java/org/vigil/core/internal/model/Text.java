package org.vigil.core.internal.model;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Text that came from outside (a program's output, a peer's report, an admin's value) made safe for a
 * terminal, a heartbeat and the cluster document: control characters are shown escaped, never passed on, and
 * summaries are bounded so that nothing a program prints can grow a heartbeat.
 */
public final class Text {

    /** The longest failure note a node keeps and sends (characters, after escaping). */
    public static final int NOTE_MAX = 300;

    private Text() {
    }

    /** @param c a character; @return true for C0 controls, DEL and C1 controls */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }

    /** @param s text, or null; @return the index of its first control character, or -1 */
    public static int firstControl(String s) {
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                if (isControl(s.charAt(i))) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Refuses a value with a control character.
     *
     * @param what  what the value is, as the admin named it (a parameter)
     * @param value the value
     * @throws IllegalArgumentException naming {@code what}, the character and where it is
     */
    public static void checkNoControls(String what, String value) {
        int i = firstControl(value);
        if (i >= 0) {
            throw new IllegalArgumentException(what + ": contains the control character " + escape(String.valueOf(value.charAt(i)))
                    + " at position " + (i + 1) + "; control characters are not allowed in values");
        }
    }

    /** @param s text, or null; @return it with every control character written as {@code \n}, {@code \t} or {@code \xNN} */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        if (firstControl(s) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isControl(c)) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\r') {
                b.append("\\r");
            } else {
                b.append(String.format("\\x%02x", (int) c));
            }
        }
        return b.toString();
    }

    /**
     * A short, safe summary: control characters escaped, runs of escaped controls collapsed, at most
     * {@code max} characters; what was cut is counted, so the reader knows the full text is elsewhere.
     *
     * @param s   text, or null
     * @param max the longest result (at least 3)
     * @return the summary; the same for the same input
     */
    public static String summary(String s, int max) {
        String e = collapse(s);
        if (e.length() <= max) {
            return e;
        }
        String tail = max < 150 ? "..."
                : "... (" + (e.length() - max) + " more characters; see the node's log and the resource's own log)";
        int keep = Math.max(0, max - tail.length());
        if (keep > 0 && Character.isHighSurrogate(e.charAt(keep - 1))) {
            keep--;
        }
        return e.substring(0, keep) + tail;
    }

    /** @return the text escaped, each run of four or more control characters shown as one {@code \x..} */
    private static String collapse(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 1 << 16));
        int i = 0;
        while (i < s.length()) {
            int j = i;
            while (j < s.length() && isControl(s.charAt(j))) {
                j++;
            }
            if (j - i >= 4) {
                b.append("\\x..");
                i = j;
            } else if (j > i) {
                b.append(escape(s.substring(i, j)));
                i = j;
            } else {
                b.append(s.charAt(i++));
            }
        }
        return b.toString();
    }

    /**
     * @param out a terminal's stream
     * @return a stream that writes everything to {@code out} except control characters (newline and tab pass),
     *         which it writes escaped ({@code \x1b}), so that no text shown can steer the admin's terminal
     */
    public static PrintStream terminal(PrintStream out) {
        return new PrintStream(new FilterOutputStream(out) {
            private int pendingC2; // 0xC2 starts the UTF-8 form of a C1 control: held until the next byte shows

            @Override
            public void write(int b) throws IOException {
                b &= 0xff;
                if (pendingC2 != 0) {
                    pendingC2 = 0;
                    if (b >= 0x80 && b <= 0x9f) {
                        out.write(String.format("\\x%02x", b).getBytes(StandardCharsets.US_ASCII));
                        return;
                    }
                    out.write(0xc2);
                }
                if (b == 0xc2) {
                    pendingC2 = 1;
                } else if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f) {
                    out.write(String.format("\\x%02x", b).getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }

            @Override
            public void flush() throws IOException {
                if (pendingC2 != 0) {
                    pendingC2 = 0;
                    out.write(0xc2);
                }
                super.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
