package org.vigil.tck.heartbeat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded byte-stream mutations for fuzzing a transport's frame decoder: start from a valid stream
 * (frames as the transport writes them on its medium) and corrupt it the ways lines and networks do.
 * Every method draws only from the given {@link Random}, so a failing seed replays exactly.
 */
public final class StreamMutations {

    private StreamMutations() {
    }

    /** @return {@code length} random bytes */
    public static byte[] randomBytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /**
     * Applies 1 to 8 random mutations: bit flips, byte changes, insertions, deletions, duplicated or
     * swapped ranges, truncation, random bytes spliced in, and runs of a single byte value.
     *
     * @param random the seeded source
     * @param valid  a valid stream (not changed)
     * @return a mutated copy
     */
    public static byte[] mutate(Random random, byte[] valid) {
        byte[] s = valid.clone();
        int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++) {
            s = mutateOnce(random, s);
        }
        return s;
    }

    private static byte[] mutateOnce(Random random, byte[] s) {
        if (s.length == 0) {
            return randomBytes(random, 1 + random.nextInt(16));
        }
        int at = random.nextInt(s.length);
        switch (random.nextInt(9)) {
            case 0: { // flip one bit
                byte[] c = s.clone();
                c[at] ^= (byte) (1 << random.nextInt(8));
                return c;
            }
            case 1: { // change one byte
                byte[] c = s.clone();
                c[at] = (byte) random.nextInt(256);
                return c;
            }
            case 2: { // insert random bytes
                return splice(s, at, 0, randomBytes(random, 1 + random.nextInt(32)));
            }
            case 3: { // delete a range
                int len = 1 + random.nextInt(Math.min(32, s.length - at));
                return splice(s, at, len, new byte[0]);
            }
            case 4: { // duplicate a range
                int len = 1 + random.nextInt(Math.min(64, s.length - at));
                return splice(s, at, 0, Arrays.copyOfRange(s, at, at + len));
            }
            case 5: { // truncate
                return Arrays.copyOf(s, at);
            }
            case 6: { // a run of one value (a stuck line: 0x00 or 0xff, or anything)
                byte v = random.nextBoolean() ? (random.nextBoolean() ? 0 : (byte) 0xff) : (byte) random.nextInt(256);
                byte[] run = new byte[1 + random.nextInt(64)];
                Arrays.fill(run, v);
                return splice(s, at, 0, run);
            }
            case 7: { // move a range elsewhere (reordered chunks)
                int len = 1 + random.nextInt(Math.min(64, s.length - at));
                byte[] piece = Arrays.copyOfRange(s, at, at + len);
                byte[] rest = splice(s, at, len, new byte[0]);
                return splice(rest, rest.length == 0 ? 0 : random.nextInt(rest.length + 1), 0, piece);
            }
            default: { // overwrite a range with random bytes
                byte[] c = s.clone();
                int len = 1 + random.nextInt(Math.min(32, s.length - at));
                for (int i = 0; i < len; i++) {
                    c[at + i] = (byte) random.nextInt(256);
                }
                return c;
            }
        }
    }

    private static byte[] splice(byte[] s, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length + insert.length);
        out.write(s, 0, at);
        out.write(insert, 0, insert.length);
        out.write(s, at + remove, s.length - at - remove);
        return out.toByteArray();
    }

    /**
     * Cuts a stream into chunks of random sizes, the way reads return it (one byte at a time, a bit of
     * a frame, several frames at once).
     *
     * @param random the seeded source
     * @param stream the bytes
     * @param max    the largest chunk
     * @return the chunks, in order, together exactly the stream
     */
    public static List<byte[]> chunks(Random random, byte[] stream, int max) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int len = random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(Math.max(1, max));
            len = Math.min(len, stream.length - at);
            out.add(Arrays.copyOfRange(stream, at, at + len));
            at += len;
        }
        return out;
    }

    /** @return the arrays one after the other */
    public static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
