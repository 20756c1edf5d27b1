package org.vigil.core.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;

class AcksTest {

    @Test
    void anAcknowledgementConfirmsTheSendTimeOfTheFrameItNames() {
        Acks a = new Acks();
        a.sent(1, 1_000);
        a.sent(2, 1_100);
        a.sent(3, 1_200);
        assertThat(a.confirmedAt("node2")).isEqualTo(Long.MIN_VALUE);
        a.counted("node2", 7, 50, 2);
        assertThat(a.confirmedAt("node2")).as("node2 counted frame 2, sent at 1100").isEqualTo(1_100);
        a.counted("node2", 7, 51, 1); // an older acknowledgement arriving late never moves it back
        assertThat(a.confirmedAt("node2")).isEqualTo(1_100);
        a.counted("node2", 7, 52, 99); // a sequence this node never sent confirms nothing
        assertThat(a.confirmedAt("node2")).isEqualTo(1_100);
        a.counted("node2", 7, 53, 0); // none
        assertThat(a.confirmedAt("node2")).isEqualTo(1_100);
    }

    @Test
    void aForgottenFrameConfirmsNothing() {
        Acks a = new Acks();
        a.sent(1, 5);
        for (long s = 2; s <= Acks.REMEMBERED + 1; s++) {
            a.sent(s, 10 + s);
        }
        a.counted("node2", 1, 1, 1);
        assertThat(a.confirmedAt("node2")).as("frame 1's slot holds a later frame now").isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void echoesTheHighestCountedSequenceOfThePeersCurrentIncarnationOnly() {
        Acks a = new Acks();
        a.seen("node2", 7);
        assertThat(a.acks()).as("nothing counted yet").isEmpty();
        a.counted("node2", 7, 40, 0);
        a.counted("node2", 7, 39, 0); // out of order over another path
        assertThat(a.acks()).isEqualTo(Map.of("node2", 40L));
        a.seen("node2", 8); // node2 restarted: its new life never sent frame 40
        assertThat(a.acks()).isEmpty();
        a.seen("node2", 7); // a late frame of the old life changes nothing
        a.counted("node2", 8, 3, 0);
        assertThat(a.acks()).isEqualTo(Map.of("node2", 3L));
    }

    @Test
    void acknowledgementsRideInTheEchoesOfASignedFrame() {
        FrameCodec codec = new FrameCodec(new byte[32]);
        Frame f = new Frame(FrameType.HEARTBEAT, "node1", "lan", 3, 9, new byte[] {1}, 77, Map.of("node2", 55L, "node3", 66L),
                Map.of("node2", 123_456_789_012L));
        Frame back = codec.decode(codec.encode(f), 0, codec.encode(f).length).frame();
        assertThat(back.ackFor("node2")).isEqualTo(123_456_789_012L);
        assertThat(back.ackFor("node3")).as("an echo without an acknowledgement").isZero();
        assertThat(back.echoFor("node3")).isEqualTo(66L);
    }
}
