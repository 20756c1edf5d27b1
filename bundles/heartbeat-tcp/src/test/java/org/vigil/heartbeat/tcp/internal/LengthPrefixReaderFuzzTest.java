package org.vigil.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.tck.heartbeat.StreamMutations;

/**
 * Fuzzes the tcp stream decoder with random and mutated streams, fed in random chunks. Authentication is
 * the core's job (its FrameCodec is fuzzed in the core's tests); what this decoder must guarantee is
 * that it never throws and delivers exactly the length-consistent frames of the stream: the frames a
 * straight reading of length, frame, length, frame... finds, up to the first impossible length, and
 * nothing else.
 */
class LengthPrefixReaderFuzzTest {

    private static final int MAX = 2_000; // small, so random lengths sometimes fit
    private static final int SEEDS = 3_000;

    /** What a straight reading of the whole stream yields. */
    private record Model(List<String> frames, boolean broken, int pending) {
    }

    private static Model model(byte[] s, int max) {
        List<String> frames = new ArrayList<>();
        int at = 0;
        while (at + 4 <= s.length) {
            int len = ByteBuffer.wrap(s, at, 4).getInt();
            if (len < 1 || len > max) {
                return new Model(frames, true, 0);
            }
            if (at + 4 + len > s.length) {
                return new Model(frames, false, s.length - at);
            }
            frames.add(HexFormat.of().formatHex(s, at + 4, at + 4 + len));
            at += 4 + len;
        }
        return new Model(frames, false, s.length - at);
    }

    private static byte[] validStream(Random random, int frames) {
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            byte[] f = StreamMutations.randomBytes(random, 1 + random.nextInt(random.nextBoolean() ? 40 : MAX));
            parts.add(LengthPrefixReader.wire(f));
        }
        return StreamMutations.concat(parts);
    }

    private static void check(long seed, byte[] stream, Random random) {
        Model expected = model(stream, MAX);
        LengthPrefixReader reader = new LengthPrefixReader(MAX);
        List<String> got = new ArrayList<>();
        String broken = null;
        for (byte[] chunk : StreamMutations.chunks(random, stream, 700)) {
            broken = reader.feed(chunk, 0, chunk.length, (d, off, len) -> got.add(HexFormat.of().formatHex(d, off, off + len)));
            if (broken != null) {
                break;
            }
        }
        assertThat(got).as("seed %d: frames", seed).isEqualTo(expected.frames());
        assertThat(broken != null).as("seed %d: broken (%s)", seed, broken).isEqualTo(expected.broken());
        if (!expected.broken()) {
            assertThat(reader.pending()).as("seed %d: pending", seed).isEqualTo(expected.pending());
        }
    }

    @Test
    void validStreamsInAnyChunkingGiveEveryFrame() {
        for (long seed = 0; seed < 500; seed++) {
            Random random = new Random(seed);
            byte[] stream = validStream(random, 1 + random.nextInt(10));
            check(seed, stream, random);
            assertThat(model(stream, MAX).broken()).isFalse();
        }
    }

    @Test
    void mutatedStreamsNeverThrowAndDeliverOnlyLengthConsistentFrames() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            byte[] stream = StreamMutations.mutate(random, validStream(random, 1 + random.nextInt(8)));
            check(seed, stream, random);
        }
    }

    @Test
    void randomStreamsNeverThrow() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            byte[] stream = StreamMutations.randomBytes(random, random.nextInt(3_000));
            if (random.nextInt(4) == 0 && stream.length >= 4) {
                stream[0] = 0; // a plausible first length now and then
                stream[1] = 0;
            }
            check(seed, stream, random);
        }
    }

    @Test
    void lengthsAtAndAroundTheLimits() {
        for (int len : new int[] {0, 1, MAX, MAX + 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            byte[] s = new byte[4 + Math.max(0, Math.min(len, MAX + 1))];
            ByteBuffer.wrap(s).putInt(len);
            check(len, s, new Random(len));
        }
        byte[] tooLong = ByteBuffer.allocate(4).putInt(MAX + 1).array();
        LengthPrefixReader r = new LengthPrefixReader(MAX);
        assertThat(r.feed(tooLong, 0, 4, (d, o, l) -> { })).isEqualTo("frame length 2001 is outside 1..2000");
        byte[] negative = ByteBuffer.allocate(4).putInt(-2).array();
        assertThat(new LengthPrefixReader(MAX).feed(negative, 0, 4, (d, o, l) -> { }))
                .isEqualTo("frame length 4294967294 is outside 1..2000");
        assertThat(Arrays.copyOf(LengthPrefixReader.wire(new byte[] {9}), 5)).containsExactly(0, 0, 0, 1, 9);
    }
}
