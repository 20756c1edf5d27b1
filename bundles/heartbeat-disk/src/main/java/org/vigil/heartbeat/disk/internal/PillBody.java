package org.vigil.heartbeat.disk.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a poison pill and its acknowledgement say, inside the signed fence message (the signature covers
 * sender, recipient and this body). A pill names the target's slot incarnation, so a pill copied from an
 * earlier run of the target is not obeyed; its nonce ties the acknowledgements to it.
 *
 * <pre>
 * pill: 'P' | incarnation (8) | nonce (8) | reason (UTF-8, the rest)
 * ack:  'A' | incarnation (8) | nonce (8) | state (1): 1 obeying (stopping its resources), 2 quiet (nothing runs)
 * </pre>
 */
final class PillBody {

    static final int OBEYING = 1;
    static final int QUIET = 2;

    private PillBody() {
    }

    /** A decoded pill. @param incarnation the target's slot incarnation @param nonce its number @param reason why */
    record Pill(long incarnation, long nonce, String reason) {
    }

    /** A decoded acknowledgement. @param incarnation the target's @param nonce the pill's @param state obeying or quiet */
    record Ack(long incarnation, long nonce, int state) {
    }

    static byte[] pill(long incarnation, long nonce, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(r.length, 512);
        return ByteBuffer.allocate(17 + n).put((byte) 'P').putLong(incarnation).putLong(nonce).put(r, 0, n).array();
    }

    static byte[] ack(long incarnation, long nonce, int state) {
        return ByteBuffer.allocate(18).put((byte) 'A').putLong(incarnation).putLong(nonce).put((byte) state).array();
    }

    static Optional<Pill> readPill(byte[] body) {
        if (body.length < 17 || body[0] != 'P') {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        b.get();
        long inc = b.getLong();
        long nonce = b.getLong();
        return Optional.of(new Pill(inc, nonce, new String(body, 17, body.length - 17, StandardCharsets.UTF_8)));
    }

    static Optional<Ack> readAck(byte[] body) {
        if (body.length != 18 || body[0] != 'A' || (body[17] != OBEYING && body[17] != QUIET)) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        b.get();
        return Optional.of(new Ack(b.getLong(), b.getLong(), b.get()));
    }
}
