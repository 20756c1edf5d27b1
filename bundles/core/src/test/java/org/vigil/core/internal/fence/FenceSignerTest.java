package org.vigil.core.internal.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.api.fence.FenceMessageSigner.FenceMessage;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;

class FenceSignerTest {

    private static final byte[] KEY = "fence-signer-test-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    private final FenceSigner node1 = new FenceSigner("node1", KEY);
    private final FenceSigner node2 = new FenceSigner("node2", KEY);

    @Test
    void aMessageSignedOnOneNodeVerifiesOnAnotherWithSenderRecipientAndBody() {
        byte[] m = node1.sign("node2", "pill".getBytes(StandardCharsets.UTF_8));
        FenceMessage got = node2.verify(m).orElseThrow();
        assertThat(got.sender()).isEqualTo("node1");
        assertThat(got.recipient()).isEqualTo("node2");
        assertThat(new String(got.body(), StandardCharsets.UTF_8)).isEqualTo("pill");
        assertThat(node2.nodeName()).isEqualTo("node2");
    }

    @Test
    void everySingleBitFlipAnotherKeyAndRandomBytesAreRejected() {
        byte[] m = node1.sign("node2", new byte[40]);
        for (int i = 0; i < m.length * 8; i++) {
            byte[] x = m.clone();
            x[i / 8] ^= (byte) (1 << (i % 8));
            assertThat(node2.verify(x)).as("bit %d flipped", i).isEmpty();
        }
        FenceSigner stranger = new FenceSigner("node2", "another-clusters-key-0123456789x".getBytes(StandardCharsets.US_ASCII));
        assertThat(stranger.verify(m)).isEmpty();
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = new byte[r.nextInt(200)];
            r.nextBytes(g);
            if (g.length > 3 && r.nextBoolean()) {
                g[0] = 'V';
                g[1] = 'F';
                g[2] = 1;
            }
            assertThat(node2.verify(g)).isEmpty();
        }
        assertThat(node2.verify(null)).isEmpty();
        assertThat(node2.verify(java.util.Arrays.copyOf(m, m.length - 1))).isEmpty();
    }

    @Test
    void aHeartbeatFrameNeverPassesForAFenceMessageNorTheOtherWayRound() {
        FrameCodec codec = new FrameCodec(KEY);
        byte[] frame = codec.encode(new Frame(FrameType.HEARTBEAT, "node1", "disk", 1, 1, new byte[10]));
        assertThat(node2.verify(frame)).isEmpty();
        byte[] m = node1.sign("node2", new byte[10]);
        assertThat(codec.decode(m, 0, m.length).frame()).isNull();
    }

    @Test
    void tooLongNamesAndBodiesAreRefused() {
        assertThatThrownBy(() -> node1.sign("x".repeat(64), new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node1.sign("node2", new byte[2049])).isInstanceOf(IllegalArgumentException.class);
    }
}
