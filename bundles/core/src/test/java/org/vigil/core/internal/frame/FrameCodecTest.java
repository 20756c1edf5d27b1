package org.vigil.core.internal.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final FrameCodec codec = new FrameCodec(KEY);

    private static Frame frame(long seq, String payload) {
        return new Frame(FrameType.HEARTBEAT, "node1", "lan", 42, seq, payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void roundTripKeepsEveryField() {
        byte[] wire = codec.encode(frame(7, "{\"dv\":3}"));
        FrameCodec.Decoded d = codec.decode(wire, 0, wire.length);
        assertThat(d.rejection()).isNull();
        assertThat(d.frame().sender()).isEqualTo("node1");
        assertThat(d.frame().path()).isEqualTo("lan");
        assertThat(d.frame().incarnation()).isEqualTo(42);
        assertThat(d.frame().sequence()).isEqualTo(7);
        assertThat(new String(d.frame().payload(), StandardCharsets.UTF_8)).isEqualTo("{\"dv\":3}");
    }

    @Test
    void theChallengeAndTheEchoesRideInTheAuthenticatedHeader() {
        Frame f = new Frame(FrameType.HEARTBEAT, "node1", "lan", 42, 7, new byte[] {1}, -123456789L,
                java.util.Map.of("node2", 5L, "node3", Long.MIN_VALUE));
        byte[] wire = codec.encode(f);
        Frame back = codec.decode(wire, 0, wire.length).frame();
        assertThat(back.nonce()).isEqualTo(-123456789L);
        assertThat(back.echoes()).containsOnly(java.util.Map.entry("node2", 5L), java.util.Map.entry("node3", Long.MIN_VALUE));
        assertThat(back.echoFor("node2")).isEqualTo(5L);
        assertThat(back.echoFor("node9")).isZero();
        for (int i = 0; i < wire.length * 8; i++) {
            byte[] m = wire.clone();
            m[i / 8] ^= (byte) (1 << (i % 8));
            assertThat(codec.decode(m, 0, m.length).frame()).as("bit %d flipped", i).isNull();
        }
        for (int len = 0; len < wire.length; len++) {
            assertThat(codec.decode(wire, 0, len).frame()).as("truncated to %d", len).isNull();
        }
    }

    @Test
    void decodesAFrameInsideALargerBuffer() {
        byte[] wire = codec.encode(frame(1, "x"));
        byte[] buf = new byte[wire.length + 20];
        System.arraycopy(wire, 0, buf, 10, wire.length);
        assertThat(codec.decode(buf, 10, wire.length).frame()).isNotNull();
    }

    @Test
    void anotherKeyIsRejectedAsForged() {
        byte[] wire = new FrameCodec("another-cluster-key-of-32-bytes!".getBytes(StandardCharsets.US_ASCII))
                .encode(frame(1, "x"));
        FrameCodec.Decoded d = codec.decode(wire, 0, wire.length);
        assertThat(d.frame()).isNull();
        assertThat(d.rejection()).isEqualTo(FrameCodec.Rejection.BAD_MAC);
    }

    @Test
    void everySingleBitFlipIsRejected() {
        byte[] wire = codec.encode(frame(5, "{\"g\":{}}"));
        for (int i = 0; i < wire.length * 8; i++) {
            byte[] m = wire.clone();
            m[i / 8] ^= (byte) (1 << (i % 8));
            assertThat(codec.decode(m, 0, m.length).frame()).as("bit %d flipped", i).isNull();
        }
    }

    @Test
    void truncationsAreRejectedWithoutException() {
        byte[] wire = codec.encode(frame(5, "payload"));
        for (int len = 0; len < wire.length; len++) {
            assertThat(codec.decode(wire, 0, len).frame()).isNull();
        }
    }

    @Test
    void fuzzedInputNeverThrowsAndIsNeverAccepted() {
        Random rnd = new Random(20261123);
        byte[] valid = codec.encode(frame(9, "{\"dv\":1,\"g\":{}}"));
        for (int i = 0; i < 200_000; i++) {
            byte[] data;
            if (i % 2 == 0) {
                data = new byte[rnd.nextInt(200)];
                rnd.nextBytes(data);
                if (data.length > 4 && rnd.nextBoolean()) {
                    data[0] = 'V';
                    data[1] = 'G';
                    data[2] = 1;
                    data[3] = (byte) (1 + rnd.nextInt(3));
                }
            } else {
                data = valid.clone();
                int flips = 1 + rnd.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    data[rnd.nextInt(data.length)] = (byte) rnd.nextInt(256);
                }
                if (java.util.Arrays.equals(data, valid)) {
                    continue;
                }
            }
            int off = data.length == 0 ? 0 : rnd.nextInt(data.length);
            int len = data.length - off;
            FrameCodec.Decoded d = codec.decode(data, off, len);
            assertThat(d.frame()).as("iteration %d accepted garbage", i).isNull();
        }
        assertThat(codec.decode(null, 0, 0).frame()).isNull();
        assertThat(codec.decode(valid, -1, 3).frame()).isNull();
        assertThat(codec.decode(valid, 5, valid.length).frame()).isNull();
    }

    @Test
    void shortKeysAreRefused() {
        assertThatThrownBy(() -> new FrameCodec(new byte[8])).hasMessageContaining("at least 16 bytes");
    }

    @Test
    void replayGuardRejectsOldAndDuplicateFramesPerPath() {
        ReplayGuard g = new ReplayGuard();
        assertThat(g.accept(frame(1, ""))).isTrue();
        assertThat(g.accept(frame(2, ""))).isTrue();
        assertThat(g.check(frame(2, ""))).as("duplicate").isEqualTo(ReplayGuard.Verdict.DUPLICATE);
        assertThat(g.check(frame(1, ""))).as("replayed").isEqualTo(ReplayGuard.Verdict.STALE);
        assertThat(g.accept(new Frame(FrameType.HEARTBEAT, "node1", "serial", 42, 1, new byte[0])))
                .as("another path has its own window").isTrue();
        assertThat(g.accept(new Frame(FrameType.HEARTBEAT, "node1", "lan", 43, 1, new byte[0])))
                .as("a restarted node (new incarnation) is accepted").isTrue();
        assertThat(g.accept(new Frame(FrameType.HEARTBEAT, "node1", "lan", 42, 99, new byte[0])))
                .as("a recording of the earlier life is not").isFalse();
    }
}
