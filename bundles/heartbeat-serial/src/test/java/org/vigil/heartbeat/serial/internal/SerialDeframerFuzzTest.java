package org.vigil.heartbeat.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.tck.heartbeat.StreamMutations;

/**
 * Fuzzes the serial deframer with random and mutated streams, fed in random chunks (seeded, bounded).
 * Authentication is the core's job (its FrameCodec is fuzzed in the core's tests); what this decoder
 * must guarantee is that it never throws, hands over only complete, checksum-valid frames (each one
 * appears on the line with its marker, lengths and CRC-32), in line order, and finds every intact frame
 * that garbage did not touch.
 */
class SerialDeframerFuzzTest {

    private static final int LIMIT = 566;
    private static final long STALL = 250_000_000L;
    private static final int SEEDS = 2_000;

    private record Result(List<byte[]> frames, List<String> garbage) {
    }

    private static Result run(byte[] stream, Random random) {
        SerialFraming.Deframer d = new SerialFraming.Deframer(LIMIT, STALL);
        List<byte[]> frames = new ArrayList<>();
        List<String> garbage = new ArrayList<>();
        SerialFraming.Sink sink = new SerialFraming.Sink() {
            @Override
            public void frame(byte[] data, int offset, int length) {
                frames.add(java.util.Arrays.copyOfRange(data, offset, offset + length));
            }

            @Override
            public void garbage(String reason) {
                garbage.add(reason);
            }
        };
        long now = 0;
        for (byte[] chunk : StreamMutations.chunks(random, stream, 300)) {
            now += 1_000_000;
            d.feed(chunk, 0, chunk.length, now, sink);
            if (random.nextInt(10) == 0) {
                d.idle(now + 1_000_000, sink); // a quiet moment shorter than the stall time
            }
        }
        d.idle(now + STALL, sink); // the line goes quiet
        assertThat(d.buffered()).isZero();
        return new Result(frames, garbage);
    }

    private static byte[] frame(Random random) {
        return StreamMutations.randomBytes(random, 1 + random.nextInt(random.nextBoolean() ? 30 : LIMIT));
    }

    /** Every delivered frame is on the line whole (marker, lengths, frame, CRC-32), in line order. */
    private static void assertOnlyWholeValidFrames(long seed, byte[] stream, List<byte[]> delivered) {
        String line = HexFormat.of().formatHex(stream);
        int from = 0;
        for (byte[] f : delivered) {
            String wire = HexFormat.of().formatHex(SerialFraming.encode(f));
            int at = line.indexOf(wire, from);
            while (at >= 0 && at % 2 != 0) {
                at = line.indexOf(wire, at + 1);
            }
            assertThat(at).as("seed %d: a delivered frame of %d bytes is on the line whole, after the previous one", seed, f.length)
                    .isGreaterThanOrEqualTo(0);
            from = at + 2 * SerialFraming.HEADER; // a later frame may start inside this one's payload
        }
    }

    @Test
    void framesBetweenRandomNoiseAreAllFoundAndTheNoiseIsReported() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            List<byte[]> parts = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            int noisy = 0;
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                if (random.nextBoolean()) {
                    byte[] noise = StreamMutations.randomBytes(random, 1 + random.nextInt(200));
                    if (random.nextInt(3) == 0) { // noise ending in something that looks like a header
                        noise[noise.length - 1] = SerialFraming.MARK0;
                    }
                    parts.add(noise);
                    noisy++;
                }
                byte[] f = frame(random);
                parts.add(SerialFraming.encode(f));
                expected.add(HexFormat.of().formatHex(f));
            }
            byte[] stream = StreamMutations.concat(parts);
            Result r = run(stream, random);
            assertThat(r.frames().stream().map(HexFormat.of()::formatHex).toList()).as("seed %d", seed)
                    .isEqualTo(expected);
            if (noisy > 0) {
                assertThat(r.garbage()).as("seed %d: noise reported", seed).isNotEmpty();
            } else {
                assertThat(r.garbage()).as("seed %d: no noise, no report", seed).isEmpty();
            }
        }
    }

    @Test
    void mutatedStreamsNeverThrowAndDeliverOnlyWholeChecksumValidFrames() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            List<byte[]> parts = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                parts.add(SerialFraming.encode(frame(random)));
            }
            byte[] stream = StreamMutations.mutate(random, StreamMutations.concat(parts));
            Result r = run(stream, random);
            assertOnlyWholeValidFrames(seed, stream, r.frames());
        }
    }

    @Test
    void randomStreamsNeverThrowAndDeliverNothingInvalid() {
        for (long seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            byte[] stream = StreamMutations.randomBytes(random, random.nextInt(5_000));
            // Sprinkle markers and plausible headers, so the search and the checks get work.
            for (int i = 0; i + 6 < stream.length; i += 1 + random.nextInt(200)) {
                stream[i] = SerialFraming.MARK0;
                stream[i + 1] = SerialFraming.MARK1;
                if (random.nextBoolean()) {
                    int len = 1 + random.nextInt(LIMIT);
                    stream[i + 2] = (byte) (len >>> 8);
                    stream[i + 3] = (byte) len;
                    stream[i + 4] = (byte) ~(len >>> 8);
                    stream[i + 5] = (byte) ~len;
                }
            }
            Result r = run(stream, random);
            assertOnlyWholeValidFrames(seed, stream, r.frames());
            if (stream.length > 0) {
                assertThat(r.garbage()).as("seed %d", seed).isNotEmpty();
            }
        }
    }

    @Test
    void aFrameRightAfterAForgedLongHeaderIsFoundOnceTheLineGoesQuiet() {
        byte[] forged = {SerialFraming.MARK0, SerialFraming.MARK1, 0x02, 0x00, (byte) 0xfd, (byte) 0xff};
        byte[] good = SerialFraming.encode("heartbeat".getBytes());
        SerialFraming.Deframer d = new SerialFraming.Deframer(LIMIT, STALL);
        List<String> frames = new ArrayList<>();
        List<String> garbage = new ArrayList<>();
        SerialFraming.Sink sink = new SerialFraming.Sink() {
            @Override
            public void frame(byte[] data, int offset, int length) {
                frames.add(new String(data, offset, length));
            }

            @Override
            public void garbage(String reason) {
                garbage.add(reason);
            }
        };
        d.feed(forged, 0, forged.length, 0, sink);
        d.feed(good, 0, good.length, 1_000_000, sink);
        assertThat(frames).as("still waiting for the 512 bytes the forged header promised").isEmpty();
        d.idle(100_000_000, sink);
        assertThat(frames).isEmpty();
        d.idle(1_000_000 + STALL, sink);
        assertThat(frames).containsExactly("heartbeat");
        assertThat(garbage).containsExactly("6 bytes discarded: a frame torn off (no byte for 250 ms)");
        assertThat(d.buffered()).isZero();
    }

    @Test
    void theFormatIsAsDocumented() {
        byte[] wire = SerialFraming.encode(new byte[] {1, 2, 3});
        assertThat(HexFormat.of().formatHex(wire, 0, 9)).isEqualTo("a55a0003fffc010203");
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(wire, 2, 7);
        assertThat(HexFormat.of().formatHex(wire, 9, 13)).isEqualTo(String.format("%08x", crc.getValue()));
        assertThat(wire).hasSize(3 + SerialFraming.OVERHEAD);
    }
}
