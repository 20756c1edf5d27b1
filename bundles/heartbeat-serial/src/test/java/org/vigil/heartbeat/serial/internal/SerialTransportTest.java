package org.vigil.heartbeat.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.tck.heartbeat.Endpoint;
import org.vigil.tck.heartbeat.RecordingPathContext;

/** Noise on the line, a pulled cable, a busy line: over a socat pty pair. */
class SerialTransportTest {

    @TempDir
    Path dir;
    private Socat socat;
    private final List<Endpoint> open = new ArrayList<>();

    @BeforeEach
    void cable() throws Exception {
        socat = Socat.start(dir);
    }

    @AfterEach
    void unplug() throws Exception {
        open.forEach(Endpoint::close);
        if (socat != null) {
            socat.close();
        }
    }

    private Endpoint node(String name, Path device) throws IOException {
        Endpoint e = Endpoint.open(new SerialTransportFactory(), "cable", name, Map.of("device", device.toString()));
        open.add(e);
        return e;
    }

    private static void await(long millis, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyGoodFrameAfterNoiseOnTheLineArrivesAndTheNoiseIsCounted() throws Exception {
        Endpoint a = node("a", socat.a);
        Endpoint b = node("b", socat.b);
        Random random = new Random(5);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[1 + random.nextInt(300)];
            random.nextBytes(noise);
            switch (i % 5) {
                case 1 -> { // a marker in the noise
                    noise = concat(noise, new byte[] {SerialFraming.MARK0, SerialFraming.MARK1});
                }
                case 2 -> { // a header that promises a long frame, then nothing of it
                    noise = concat(noise, new byte[] {SerialFraming.MARK0, SerialFraming.MARK1, 0x02, 0x00, (byte) 0xfd, (byte) 0xff});
                }
                case 3 -> { // a whole frame with one byte hit by noise
                    byte[] hit = SerialFraming.encode(bytes("corrupted " + i));
                    hit[8] ^= 0x10;
                    noise = concat(noise, hit);
                }
                case 4 -> { // the first half of a frame (the sender died mid-write)
                    byte[] half = SerialFraming.encode(bytes("torn frame number " + i));
                    noise = concat(noise, java.util.Arrays.copyOf(half, half.length / 2));
                }
                default -> { }
            }
            Socat.write(socat.a, noise); // comes out at b, between a's frames
            String text = "good frame " + i;
            a.send(bytes(text));
            sent.add(text);
            Thread.sleep(15);
        }
        await(15_000, () -> b.context.texts().size() >= 40, "40 good frames at b: " + b.context.texts());
        assertThat(b.context.texts()).containsExactlyElementsOf(sent);
        // One report per stretch of noise; the case-2 header (a 512-byte frame that never comes) may
        // swallow the next good frame until the CRC check fails, so never fewer than 40.
        assertThat(b.context.garbage).hasSizeGreaterThanOrEqualTo(40)
                .allSatisfy(g -> assertThat(g).matches("\\d+ bytes? discarded: .* on " + java.util.regex.Pattern.quote(socat.b.toString())));
        assertThat(b.context.garbage).anySatisfy(g -> assertThat(g).contains("bad CRC-32"));
        assertThat(b.receiveErrors).isEmpty();
        assertThat(a.context.garbage).isEmpty();
    }

    @Test
    void aTornFrameIsReportedEvenWhenNothingFollows() throws Exception {
        Endpoint b = node("b", socat.b);
        byte[] wire = SerialFraming.encode(bytes("never finished"));
        Socat.write(socat.a, java.util.Arrays.copyOf(wire, 9));
        await(3_000, () -> !b.context.garbage.isEmpty(), "the torn frame reported");
        assertThat(b.context.garbage.get(0)).startsWith("9 bytes discarded: a frame torn off");
        assertThat(b.context.frames).isEmpty();
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    @Test
    void aPulledCableIsReportedDownAndTheLinkComesBackByItself() throws Exception {
        Endpoint a = node("a", socat.a);
        Endpoint b = node("b", socat.b);
        a.send("before");
        await(5_000, () -> b.context.texts().contains("before"), "a frame before the cut");

        socat.end(); // the cable is pulled: both pseudo-terminals vanish
        await(5_000, () -> a.context.linkStates.size() >= 2 && b.context.linkStates.size() >= 2, "link down on both ends");
        assertThat(a.context.linkStates.get(1).up()).isFalse();
        assertThat(a.context.linkStates.get(1).reason()).contains(socat.a.toString());
        assertThatThrownBy(() -> a.send("into the void")).isInstanceOf(IOException.class).hasMessageContaining("not open");

        socat.begin(); // plugged back in
        await(10_000, () -> a.context.linkStates.size() >= 3 && b.context.linkStates.size() >= 3, "link up again on both ends");
        assertThat(a.context.linkStates.get(2)).isEqualTo(new RecordingPathContext.LinkState(true,
                socat.a + " open at 115200 baud 8N1, frames up to 566 bytes again"));
        a.send("after from a");
        b.send("after from b");
        await(5_000, () -> b.context.texts().contains("after from a") && a.context.texts().contains("after from b"),
                "frames both ways after the cable is back");
        assertThat(a.receiveErrors).isEmpty();
        assertThat(b.receiveErrors).isEmpty();
    }

    @Test
    void aBusyLineDropsFramesInsteadOfQueueingAndSendNeverBlocks() throws Exception {
        Endpoint a = node("a", socat.a);
        Endpoint b = node("b", socat.b);
        byte[] big = new byte[566];
        int refused = 0;
        long worst = 0;
        for (int i = 0; i < 50; i++) {
            big[0] = (byte) i;
            long start = System.nanoTime();
            try {
                a.send(big);
            } catch (IOException e) {
                assertThat(e.getMessage()).contains("serial line busy").contains("frame dropped");
                refused++;
            }
            worst = Math.max(worst, System.nanoTime() - start);
        }
        // 576 bytes on the wire take 50 ms at 115200 8N1; two frame times of backlog hold two of them
        // (a third or so more if the loop itself took that long on a busy machine).
        assertThat(refused).isBetween(40, 48);
        assertThat(worst / 1_000_000).as("slowest send() in ms").isLessThan(200);
        int went = 50 - refused;
        await(5_000, () -> b.context.frames.size() == went, "the frames that went");
        Thread.sleep(120); // the line is idle again
        a.send("next");
        await(5_000, () -> b.context.texts().contains("next"), "a frame once the line is free");
    }

    @Test
    void openFailsWithTheReasonWhenTheDeviceIsMissing() {
        RecordingPathContext ctx = new RecordingPathContext("cable", "a", Map.of("device", dir.resolve("nothing").toString()));
        assertThatThrownBy(() -> new SerialTransportFactory().open(ctx)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot open serial device " + dir.resolve("nothing"));
        assertThat(ctx.linkStates).singleElement().extracting(RecordingPathContext.LinkState::up).isEqualTo(false);
    }

    @Test
    void twoPathsCannotShareOneDevice() throws Exception {
        node("a", socat.a);
        RecordingPathContext ctx = new RecordingPathContext("cable2", "a", Map.of("device", socat.a.toString()));
        assertThatThrownBy(() -> new SerialTransportFactory().open(ctx)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot open serial device");
    }
}
