package org.vigil.heartbeat.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.vigil.heartbeat.disk.internal.DiskLayout.Block;
import org.vigil.heartbeat.disk.internal.DiskLayout.Content;
import org.vigil.heartbeat.disk.internal.DiskLayout.Garbage;

/**
 * The block decoder against random and mutated blocks: it never throws, and nothing whose CRC-32C does not
 * match is ever taken for a block (a torn write is garbage, not a message).
 */
class DiskBlockFuzzTest {

    private static Block message(Random r) {
        byte[] payload = new byte[r.nextInt(DiskLayout.MAX_PAYLOAD + 1)];
        r.nextBytes(payload);
        return new Block(DiskLayout.KIND_MESSAGE, r.nextInt(16), r.nextLong(), 1 + r.nextInt(1_000_000), "node" + r.nextInt(9),
                payload);
    }

    private static boolean crcMatches(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, DiskLayout.CRC_OFFSET);
        return java.nio.ByteBuffer.wrap(b).getInt(DiskLayout.CRC_OFFSET) == (int) crc.getValue();
    }

    @Test
    void aBlockRoundTrips() {
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            Block m = message(r);
            Content c = DiskLayout.decode(DiskLayout.encode(m), 0);
            assertThat(c).isInstanceOf(Block.class);
            Block got = (Block) c;
            assertThat(got.writer()).isEqualTo(m.writer());
            assertThat(got.sequence()).isEqualTo(m.sequence());
            assertThat(got.incarnation()).isEqualTo(m.incarnation());
            assertThat(got.payload()).isEqualTo(m.payload());
        }
        Content h = DiskLayout.decode(DiskLayout.encode(new DiskLayout.Header(16, 16, 8, 1, "node1")), 0);
        assertThat(h).isEqualTo(new DiskLayout.Header(16, 16, 8, 1, "node1"));
        assertThat(DiskLayout.decode(new byte[DiskLayout.BLOCK], 0)).isInstanceOf(DiskLayout.Zero.class);
    }

    @Test
    void everySingleBitFlipOfABlockIsGarbage() {
        byte[] good = DiskLayout.encode(message(new Random(2)));
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] x = good.clone();
            x[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(DiskLayout.decode(x, 0)).as("bit %d flipped", bit).isInstanceOf(Garbage.class);
        }
    }

    @Test
    void randomAndMutatedBlocksNeverThrowAndNothingWithABadChecksumIsAccepted() {
        Random r = new Random(3);
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b;
            switch (i % 5) {
                case 0 -> {
                    b = new byte[DiskLayout.BLOCK];
                    r.nextBytes(b);
                }
                case 1 -> { // a torn write: the head of a new block over the tail of an old one
                    b = DiskLayout.encode(message(r));
                    byte[] older = DiskLayout.encode(message(r));
                    int cut = 512 * (1 + r.nextInt(7));
                    System.arraycopy(older, cut, b, cut, b.length - cut);
                }
                case 2 -> { // a few random bytes changed
                    b = DiskLayout.encode(message(r));
                    for (int k = 1 + r.nextInt(8); k > 0; k--) {
                        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    }
                }
                case 3 -> { // right magic and a valid checksum over nonsense fields: the checks behind the CRC
                    b = new byte[DiskLayout.BLOCK];
                    r.nextBytes(b);
                    System.arraycopy(DiskLayout.MAGIC, 0, b, 0, DiskLayout.MAGIC.length);
                    b[8] = 0;
                    b[9] = 1;
                    CRC32C crc = new CRC32C();
                    crc.update(b, 0, DiskLayout.CRC_OFFSET);
                    java.nio.ByteBuffer.wrap(b).putInt(DiskLayout.CRC_OFFSET, (int) crc.getValue());
                }
                default -> {
                    b = new byte[DiskLayout.BLOCK];
                    b[r.nextInt(b.length)] = (byte) (1 + r.nextInt(255));
                }
            }
            int offset = r.nextInt(3) * 7;
            byte[] buffer = new byte[b.length + offset];
            System.arraycopy(b, 0, buffer, offset, b.length);
            Content c = DiskLayout.decode(buffer, offset);
            if (!(c instanceof Garbage) && !(c instanceof DiskLayout.Zero)) {
                assertThat(crcMatches(b)).as("accepted a block with a bad checksum (case %d)", i % 5).isTrue();
                accepted++;
            }
        }
        assertThat(DiskLayout.decode(null, 0)).isInstanceOf(Garbage.class);
        assertThat(DiskLayout.decode(new byte[100], 0)).isInstanceOf(Garbage.class);
        assertThat(DiskLayout.decode(new byte[DiskLayout.BLOCK], 1)).isInstanceOf(Garbage.class);
        assertThat(accepted).as("only blocks with a matching checksum get through, and some of case 3 do").isLessThan(100_000);
    }

    @Test
    void pillAndAckBodiesNeverThrowOnGarbage() {
        Random r = new Random(4);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            PillBody.readPill(b);
            PillBody.readAck(b);
        }
        assertThat(PillBody.readPill(PillBody.pill(7, 9, "why")).orElseThrow()).isEqualTo(new PillBody.Pill(7, 9, "why"));
        assertThat(PillBody.readAck(PillBody.ack(7, 9, PillBody.QUIET)).orElseThrow())
                .isEqualTo(new PillBody.Ack(7, 9, PillBody.QUIET));
    }
}
