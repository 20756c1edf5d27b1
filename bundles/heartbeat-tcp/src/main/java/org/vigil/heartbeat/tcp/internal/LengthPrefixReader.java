package org.vigil.heartbeat.tcp.internal;

/**
 * Cuts one TCP stream into frames. On the stream each frame is a 4-byte big-endian length followed by
 * that many bytes. A length of zero or over the limit means the stream is not ours or is broken: the
 * reader says so and the connection must be closed (the dialling side reconnects), because after a
 * bad length there is no way to find the next frame boundary on a stream.
 *
 * <p>Used by the receiver thread only. Reads may cut frames anywhere; the reader keeps what it has.
 */
final class LengthPrefixReader {

    /** Receives each complete frame; the buffer is reused once the call returns. */
    @FunctionalInterface
    interface Sink {
        void frame(byte[] data, int offset, int length);
    }

    static final int HEADER = 4;

    private final int maxFrame;
    private final byte[] header = new byte[HEADER];
    private int headerFill;
    private byte[] body = new byte[256];
    private int bodyLength = -1;
    private int bodyFill;

    /** @param maxFrame the largest frame accepted */
    LengthPrefixReader(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    /**
     * Consumes bytes read from the stream and hands every frame they complete to the sink.
     *
     * @return null when the stream is fine so far, else why it is broken (nothing more is read from it)
     */
    String feed(byte[] data, int offset, int length, Sink sink) {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            if (bodyLength < 0) {
                int take = Math.min(HEADER - headerFill, end - at);
                System.arraycopy(data, at, header, headerFill, take);
                headerFill += take;
                at += take;
                if (headerFill < HEADER) {
                    return null;
                }
                int declared = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16)
                        | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                if (declared < 1 || declared > maxFrame) {
                    long unsigned = declared & 0xffffffffL;
                    return "frame length " + unsigned + " is outside 1.." + maxFrame;
                }
                bodyLength = declared;
                bodyFill = 0;
                if (body.length < declared) {
                    body = new byte[Math.max(declared, Math.min(maxFrame, body.length * 2))];
                }
            }
            int take = Math.min(bodyLength - bodyFill, end - at);
            System.arraycopy(data, at, body, bodyFill, take);
            bodyFill += take;
            at += take;
            if (bodyFill == bodyLength) {
                int n = bodyLength;
                bodyLength = -1;
                headerFill = 0;
                sink.frame(body, 0, n);
            }
        }
        return null;
    }

    /** @return bytes of a frame (its length or its body) received but not yet complete */
    int pending() {
        return bodyLength < 0 ? headerFill : HEADER + bodyFill;
    }

    /** @return the declared length of the frame in progress, or -1 between frames */
    int expected() {
        return bodyLength;
    }

    /**
     * Writes a frame's wire form: its length, then the frame.
     *
     * @param frame the frame
     * @return a new array of {@code frame.length + 4} bytes
     */
    static byte[] wire(byte[] frame) {
        byte[] out = new byte[HEADER + frame.length];
        int n = frame.length;
        out[0] = (byte) (n >>> 24);
        out[1] = (byte) (n >>> 16);
        out[2] = (byte) (n >>> 8);
        out[3] = (byte) n;
        System.arraycopy(frame, 0, out, HEADER, n);
        return out;
    }
}
