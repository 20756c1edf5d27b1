package org.vigil.core.internal.frame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The names in Vigil's signed wire formats (heartbeat frames, fence messages): one length byte, then 1 to
 * {@link #MAX_BYTES} bytes of UTF-8.
 */
public final class WireNames {

    /** The longest name, in bytes. */
    public static final int MAX_BYTES = 63;

    private WireNames() {
    }

    /**
     * @param b   a buffer positioned at a name's length byte; moved past the name
     * @param end where the field must end at the latest
     * @return the name, or null when the field is empty, longer than {@link #MAX_BYTES} or runs past {@code end}
     */
    public static String read(ByteBuffer b, int end) {
        if (b.position() >= end) {
            return null;
        }
        int n = b.get() & 0xff;
        if (n == 0 || n > MAX_BYTES || b.position() + n > end) {
            return null;
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
