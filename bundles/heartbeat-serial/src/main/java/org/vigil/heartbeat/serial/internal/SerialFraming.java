package org.vigil.heartbeat.serial.internal;

import java.util.zip.CRC32;

/**
 * How frames travel on a serial line, and how they are found again in whatever the line delivers.
 *
 * <pre>
 *  0xA5 0x5A | length (2) | ~length (2) | frame (length bytes) | CRC-32 (4)
 * </pre>
 *
 * All numbers big-endian. {@code ~length} is the length's ones' complement, so a header is recognised
 * only when 32 bits agree (a random position passes the marker and this check with odds of 1 in 2^32);
 * the CRC-32 (IEEE 802.3, as {@link CRC32}) covers length, ~length and frame. Lengths run from 1 to the
 * path's frame limit (at most {@link #MAX_LIMIT}). There is no byte stuffing: a marker may occur inside a
 * frame, which is harmless because the decoder only looks for the next marker when the current
 * candidate fails its checks. Overhead: {@value #OVERHEAD} bytes per frame.
 *
 * <p>Decoding ({@link Deframer}) survives noise and partial reads: bytes before a marker are counted as
 * noise; a candidate with an impossible length or a bad CRC is discarded <em>one byte at a time</em>, so
 * the search for the next marker starts inside it and a good frame that follows garbage (even garbage
 * that looked like the start of a long frame) is still found. A candidate that stops growing for the
 * stall time (a torn frame: the peer died mid-write, or noise forged a long header) is discarded the
 * same way. Garbage is reported once per stretch of garbage, not once per byte.
 */
final class SerialFraming {

    static final byte MARK0 = (byte) 0xA5;
    static final byte MARK1 = (byte) 0x5A;
    static final int HEADER = 6;
    static final int OVERHEAD = HEADER + 4;
    /** The largest frame limit a serial path can be given; the length field could say more. */
    static final int MAX_LIMIT = 4096;
    /** One report per this many bytes of a continuous stretch of noise, so endless noise still shows. */
    private static final int REPORT_EVERY = 64 * 1024;

    private SerialFraming() {
    }

    /** @return the frame as it goes on the line */
    static byte[] encode(byte[] frame) {
        int n = frame.length;
        byte[] out = new byte[OVERHEAD + n];
        out[0] = MARK0;
        out[1] = MARK1;
        out[2] = (byte) (n >>> 8);
        out[3] = (byte) n;
        out[4] = (byte) ~(n >>> 8);
        out[5] = (byte) ~n;
        System.arraycopy(frame, 0, out, HEADER, n);
        CRC32 crc = new CRC32();
        crc.update(out, 2, 4 + n);
        long c = crc.getValue();
        out[HEADER + n] = (byte) (c >>> 24);
        out[HEADER + n + 1] = (byte) (c >>> 16);
        out[HEADER + n + 2] = (byte) (c >>> 8);
        out[HEADER + n + 3] = (byte) c;
        return out;
    }

    /** Receives what the deframer finds. */
    interface Sink {
        /** A complete, checksum-valid frame; the buffer is reused once this returns. */
        void frame(byte[] data, int offset, int length);

        /** A stretch of bytes that made no frame. */
        void garbage(String reason);
    }

    /**
     * Finds frames in the bytes a serial line delivers. Used by one thread (the receiver); time is
     * passed in, so tests and fuzzing control it.
     */
    static final class Deframer {
        private final int limit;
        private final long stallNanos;
        private final byte[] buf;
        private final CRC32 crc = new CRC32();
        private int start;
        private int end;
        private long lastByteNanos;
        private long garbageBytes;
        private int badCrc;
        private int badLength;
        private int stalled;

        /**
         * @param limit      the largest frame accepted (1 to {@link #MAX_LIMIT})
         * @param stallNanos how long a started frame may wait for its next byte
         */
        Deframer(int limit, long stallNanos) {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("frame limit " + limit);
            }
            this.limit = limit;
            this.stallNanos = stallNanos;
            this.buf = new byte[2 * (limit + OVERHEAD) + 4096];
        }

        /** Takes bytes read from the line and hands over every frame they complete. */
        void feed(byte[] data, int offset, int length, long nowNanos, Sink sink) {
            if (length > 0) {
                lastByteNanos = nowNanos;
            }
            int at = offset;
            int left = length;
            while (left > 0) {
                if (end == buf.length) {
                    compact();
                }
                int take = Math.min(left, buf.length - end);
                System.arraycopy(data, at, buf, end, take);
                end += take;
                at += take;
                left -= take;
                parse(sink);
            }
        }

        /**
         * Called when no bytes came: a frame that has stopped growing for the stall time is torn;
         * discard it byte by byte (frames may hide inside) and report the garbage.
         */
        void idle(long nowNanos, Sink sink) {
            if (nowNanos - lastByteNanos < stallNanos) {
                return;
            }
            if (end > start) {
                stalled++;
                while (end > start) {
                    skip(1);
                    parse(sink);
                }
            }
            report(sink);
        }

        /** @return bytes held that are not yet a frame */
        int buffered() {
            return end - start;
        }

        private void compact() {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }

        private void skip(int n) {
            start += n;
            garbageBytes += n;
        }

        private void parse(Sink sink) {
            while (end > start) {
                int m = findMarker();
                if (m < 0) {
                    // No marker; keep a last 0xA5 that may be half of one.
                    int keep = buf[end - 1] == MARK0 ? 1 : 0;
                    skip(end - keep - start);
                    break;
                }
                if (m > start) {
                    skip(m - start);
                }
                if (end - start < HEADER) {
                    break; // the header is still coming
                }
                int len = ((buf[start + 2] & 0xff) << 8) | (buf[start + 3] & 0xff);
                int inv = ((buf[start + 4] & 0xff) << 8) | (buf[start + 5] & 0xff);
                if ((len ^ inv) != 0xffff || len < 1 || len > limit) {
                    badLength++;
                    skip(1);
                    continue;
                }
                int total = OVERHEAD + len;
                if (end - start < total) {
                    break; // the frame is still coming
                }
                crc.reset();
                crc.update(buf, start + 2, 4 + len);
                long expected = crc.getValue();
                int c = start + HEADER + len;
                long actual = ((long) (buf[c] & 0xff) << 24) | ((buf[c + 1] & 0xff) << 16)
                        | ((buf[c + 2] & 0xff) << 8) | (buf[c + 3] & 0xff);
                if (actual != expected) {
                    badCrc++;
                    skip(1);
                    continue;
                }
                report(sink);
                int frameAt = start + HEADER;
                start += total;
                sink.frame(buf, frameAt, len);
                if (start == end) {
                    start = end = 0;
                }
            }
            if (start == end) {
                start = end = 0;
            }
            if (garbageBytes >= REPORT_EVERY) {
                report(sink);
            }
        }

        private int findMarker() {
            for (int i = start; i + 1 < end; i++) {
                if (buf[i] == MARK0 && buf[i + 1] == MARK1) {
                    return i;
                }
            }
            return -1;
        }

        private void report(Sink sink) {
            if (garbageBytes == 0) {
                return;
            }
            StringBuilder why = new StringBuilder();
            if (badCrc > 0) {
                why.append(badCrc == 1 ? "a frame" : badCrc + " frames").append(" with a bad CRC-32");
            }
            if (badLength > 0) {
                why.append(why.length() > 0 ? ", " : "").append(badLength == 1 ? "a header" : badLength + " headers")
                        .append(" with an impossible length");
            }
            if (stalled > 0) {
                why.append(why.length() > 0 ? ", " : "").append("a frame torn off (no byte for ")
                        .append(stallNanos / 1_000_000).append(" ms)");
            }
            if (why.length() == 0) {
                why.append("noise between frames");
            }
            String reason = garbageBytes + " byte" + (garbageBytes == 1 ? "" : "s") + " discarded: " + why;
            garbageBytes = 0;
            badCrc = badLength = stalled = 0;
            sink.garbage(reason);
        }
    }
}
