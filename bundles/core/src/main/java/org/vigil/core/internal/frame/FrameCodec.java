package org.vigil.core.internal.frame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes and authenticates frames with HMAC-SHA256 over the cluster key. Layout (big-endian):
 *
 * <pre>
 * 'V' 'G' | version (1) | type (1) | incarnation (8) | sequence (8) | nonce (8)
 * | sender length (1) | sender (UTF-8) | path length (1) | path (UTF-8)
 * | echo count (1) | per echo: node length (1) | node (UTF-8) | nonce (8) | ack (8)
 * | payload length (4) | payload | HMAC-SHA256 of all of the above (32)
 * </pre>
 *
 * The nonce is the sender's challenge for this incarnation; the echoes answer the peers' challenges (see
 * {@link org.vigil.core.internal.membership.Challenge}); each echo also acknowledges the highest sequence of
 * that peer's frames the sender counted (see {@link org.vigil.core.internal.membership.Acks}).
 *
 * Decoding never throws: anything that is not a well-formed frame with a valid code is rejected with a
 * reason, so garbage on a path is counted, not fatal.
 */
public final class FrameCodec {

    /** Smallest accepted cluster key, in bytes. */
    public static final int MIN_KEY_BYTES = 16;
    static final int MAC_LEN = 32;
    // 2: the challenge (nonce and echoes) joined the header
    // 3: each echo carries an acknowledgement (the lease)
    private static final int VERSION = 3;
    private static final int ECHO_VALUES = 16;
    private static final int HEADER = 2 + 1 + 1 + 8 + 8 + 8;
    private static final int MAX_NAME = WireNames.MAX_BYTES;
    /** Most echoes a frame carries: one per peer, and a cluster has far fewer nodes. */
    public static final int MAX_ECHOES = 255;

    /** Why a frame was rejected. */
    public enum Rejection {
        /** Not a frame at all: wrong magic, version, lengths or type. */
        MALFORMED,
        /** Well-formed but the authentication code does not match: forged, corrupted, or another cluster's key. */
        BAD_MAC
    }

    /**
     * The outcome of decoding: a frame, or why there is none.
     *
     * @param frame     the frame, or null
     * @param rejection why it was rejected, or null
     * @param detail    a short explanation of a rejection
     */
    public record Decoded(Frame frame, Rejection rejection, String detail) {
        static Decoded reject(Rejection r, String detail) {
            return new Decoded(null, r, detail);
        }
    }

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /** @param key the cluster key; at least {@link #MIN_KEY_BYTES} bytes */
    public FrameCodec(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the cluster key must be at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // fail now, not on the heartbeat path
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** @param f a frame; @return its signed wire form */
    public byte[] encode(Frame f) {
        byte[] sender = f.sender().getBytes(StandardCharsets.UTF_8);
        byte[] path = f.path().getBytes(StandardCharsets.UTF_8);
        if (sender.length > MAX_NAME || path.length > MAX_NAME) {
            throw new IllegalArgumentException("node and path names are limited to " + MAX_NAME + " bytes");
        }
        if (f.echoes().size() > MAX_ECHOES) {
            throw new IllegalArgumentException("a frame carries at most " + MAX_ECHOES + " echoes");
        }
        byte[][] echoNames = new byte[f.echoes().size()][];
        long[] echoNonces = new long[echoNames.length];
        long[] echoAcks = new long[echoNames.length];
        int echoBytes = 0;
        int i = 0;
        for (Map.Entry<String, Long> e : f.echoes().entrySet()) {
            byte[] n = e.getKey().getBytes(StandardCharsets.UTF_8);
            if (n.length == 0 || n.length > MAX_NAME) {
                throw new IllegalArgumentException("node names are limited to " + MAX_NAME + " bytes");
            }
            echoNames[i] = n;
            echoNonces[i] = e.getValue();
            echoAcks[i++] = f.ackFor(e.getKey());
            echoBytes += 1 + n.length + ECHO_VALUES;
        }
        int len = HEADER + 1 + sender.length + 1 + path.length + 1 + echoBytes + 4 + f.payload().length;
        ByteBuffer b = ByteBuffer.allocate(len + MAC_LEN);
        b.put((byte) 'V').put((byte) 'G').put((byte) VERSION).put((byte) f.type().code);
        b.putLong(f.incarnation()).putLong(f.sequence()).putLong(f.nonce());
        b.put((byte) sender.length).put(sender).put((byte) path.length).put(path);
        b.put((byte) echoNames.length);
        for (int j = 0; j < echoNames.length; j++) {
            b.put((byte) echoNames[j].length).put(echoNames[j]).putLong(echoNonces[j]).putLong(echoAcks[j]);
        }
        b.putInt(f.payload().length).put(f.payload());
        Mac mac = macs.get();
        mac.update(b.array(), 0, len);
        b.put(mac.doFinal());
        return b.array();
    }

    /**
     * @param data   a buffer
     * @param offset where the frame starts
     * @param length its length
     * @return the authenticated frame, or the reason it was rejected
     */
    public Decoded decode(byte[] data, int offset, int length) {
        if (data == null || offset < 0 || length < 0 || offset + length > data.length) {
            return Decoded.reject(Rejection.MALFORMED, "bad buffer bounds");
        }
        if (length < HEADER + 1 + 1 + 1 + 4 + MAC_LEN) {
            return Decoded.reject(Rejection.MALFORMED, "too short (" + length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        if (b.get() != 'V' || b.get() != 'G') {
            return Decoded.reject(Rejection.MALFORMED, "bad magic");
        }
        int version = b.get() & 0xff;
        if (version != VERSION) {
            return Decoded.reject(Rejection.MALFORMED, "unknown frame version " + version);
        }
        FrameType type = FrameType.of(b.get() & 0xff);
        if (type == null) {
            return Decoded.reject(Rejection.MALFORMED, "unknown frame type");
        }
        long incarnation = b.getLong();
        long sequence = b.getLong();
        long nonce = b.getLong();
        int end = offset + length - MAC_LEN;
        String sender = WireNames.read(b, end);
        String path = sender == null ? null : WireNames.read(b, end);
        if (sender == null || path == null) {
            return Decoded.reject(Rejection.MALFORMED, "bad name field");
        }
        if (b.position() >= end) {
            return Decoded.reject(Rejection.MALFORMED, "truncated");
        }
        int echoCount = b.get() & 0xff;
        int echoStart = b.position();
        for (int i = 0; i < echoCount; i++) { // only checked here: read once authenticated, so forgeries cost no objects
            int n = b.position() < end ? b.get() & 0xff : 0;
            if (n == 0 || n > MAX_NAME || b.position() + n + ECHO_VALUES > end) {
                return Decoded.reject(Rejection.MALFORMED, "bad echo field");
            }
            b.position(b.position() + n + ECHO_VALUES);
        }
        if (b.position() + 4 > end) {
            return Decoded.reject(Rejection.MALFORMED, "truncated");
        }
        int plen = b.getInt();
        if (plen < 0 || b.position() + plen != end) {
            return Decoded.reject(Rejection.MALFORMED, "payload length does not match the frame");
        }
        Mac mac = macs.get();
        mac.update(data, offset, length - MAC_LEN);
        byte[] expected = mac.doFinal();
        byte[] actual = new byte[MAC_LEN];
        System.arraycopy(data, end, actual, 0, MAC_LEN);
        if (!MessageDigest.isEqual(expected, actual)) {
            return Decoded.reject(Rejection.BAD_MAC, "authentication code does not match (from '" + sender + "')");
        }
        byte[] payload = new byte[plen];
        b.get(payload);
        Map<String, Long> echoes = Map.of();
        Map<String, Long> acks = Map.of();
        if (echoCount > 0) {
            b.position(echoStart);
            Map<String, Long> m = new HashMap<>(echoCount * 2);
            Map<String, Long> a = new HashMap<>(echoCount * 2);
            for (int i = 0; i < echoCount; i++) {
                String peer = WireNames.read(b, end);
                m.put(peer, b.getLong());
                long ack = b.getLong();
                if (ack != 0) {
                    a.put(peer, ack);
                }
            }
            echoes = Collections.unmodifiableMap(m);
            acks = Collections.unmodifiableMap(a);
        }
        return new Decoded(new Frame(type, sender, path, incarnation, sequence, payload, nonce, echoes, acks),
                null, "");
    }
}
