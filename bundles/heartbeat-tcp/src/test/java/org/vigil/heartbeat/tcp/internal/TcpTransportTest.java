package org.vigil.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.tck.heartbeat.Endpoint;
import org.vigil.tck.heartbeat.RecordingPathContext;

/** What the contract cannot say about tcp in general: streams, redialling, full buffers, strangers. */
class TcpTransportTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private Endpoint node(String name, Map<String, String> p) throws IOException {
        return node(name, p, TcpTransport.DEFAULT_IDLE_MILLIS);
    }

    private Endpoint node(String name, Map<String, String> p, long idleMillis) throws IOException {
        HeartbeatTransportFactory f = new HeartbeatTransportFactory() {
            @Override
            public TransportDescription describe() {
                return new TcpTransportFactory().describe();
            }

            @Override
            public List<String> validate(Map<String, String> parameters) {
                return new TcpTransportFactory().validate(parameters);
            }

            @Override
            public HeartbeatTransport open(PathContext context) throws IOException {
                return TcpTransport.open(TcpConfig.parse(context.parameters()).config(), context, idleMillis);
            }
        };
        Endpoint e = Endpoint.open(f, "lan", name, p);
        cleanup.add(e);
        return e;
    }

    private static void await(long millis, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Sends the frame every 100 ms, as the core's heartbeat does, until the receiver has it. */
    private static void beatUntilHeard(Endpoint from, String text, Endpoint to, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!to.context.texts().contains(text)) {
            assertThat(System.nanoTime()).as("waiting for %s to hear %s's frame", to, from).isLessThan(deadline);
            try {
                from.send(text);
            } catch (IOException busy) {
                // no open connection took it at this instant: the next beat will
            }
            Thread.sleep(100);
        }
    }

    private static byte[] wire(String text) {
        return LengthPrefixReader.wire(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aLengthOverTheLimitIsGarbageAndClosesOnlyThatConnection() throws Exception {
        int[] p = Ports.free(2);
        Endpoint a = node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])));
        Endpoint b = node("b", Map.of("bind", Ports.local(p[1]), "peers", Ports.local(p[0])));
        try (Socket stranger = new Socket("127.0.0.1", p[0])) {
            OutputStream out = stranger.getOutputStream();
            out.write(wire("a stranger's well-formed frame")); // content is the core's business
            out.write(ByteBuffer.allocate(4).putInt(TcpTransport.MAX_FRAME_SIZE + 1).array());
            out.flush();
            await(5000, () -> a.context.garbage.size() == 1, "garbage reported");
            assertThat(a.context.garbage.get(0)).contains("frame length 65001 is outside 1..65000")
                    .contains("127.0.0.1:" + stranger.getLocalPort());
            assertThat(a.context.texts()).contains("a stranger's well-formed frame");
            assertThat(stranger.getInputStream().read()).as("the stranger's connection was closed").isEqualTo(-1);
        }
        // b may still be dialling a (a frame with no open connection is not sent): beat as the core does
        beatUntilHeard(b, "still here", a, 5000);
        assertThat(a.receiveErrors).isEmpty();
    }

    @Test
    void aStreamThatEndsInTheMiddleOfAFrameIsGarbage() throws Exception {
        int[] p = Ports.free(2);
        Endpoint a = node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])));
        try (Socket stranger = new Socket("127.0.0.1", p[0])) {
            byte[] w = wire("0123456789");
            stranger.getOutputStream().write(w, 0, 9);
        }
        await(5000, () -> a.context.garbage.size() == 1, "garbage reported");
        assertThat(a.context.garbage.get(0)).contains("ended in the middle of a frame (9 bytes of 14)");
        try (Socket stranger = new Socket("127.0.0.1", p[0])) {
            stranger.getOutputStream().write(new byte[] {0, 0});
        }
        await(5000, () -> a.context.garbage.size() == 2, "second garbage reported");
        assertThat(a.context.garbage.get(1)).contains("(2 bytes)");
        try (Socket polite = new Socket("127.0.0.1", p[0])) {
            polite.getOutputStream().write(wire("whole"));
        }
        await(5000, () -> a.context.texts().contains("whole"), "the whole frame");
        Thread.sleep(200);
        assertThat(a.context.garbage).as("a clean close between frames is not garbage").hasSize(2);
        assertThat(a.context.frames).allSatisfy(f -> assertThat(f.source()).startsWith("127.0.0.1:"));
    }

    @Test
    void redialsWithABackoffThatDoublesUpToTwoSeconds() throws Exception {
        int[] p = Ports.free(2);
        List<Long> attempts = new CopyOnWriteArrayList<>();
        try (ServerSocket rude = new ServerSocket()) {
            rude.setReuseAddress(true);
            rude.bind(new InetSocketAddress("127.0.0.1", p[1]));
            Thread acceptor = new Thread(() -> {
                while (!rude.isClosed()) {
                    try (Socket s = rude.accept()) {
                        attempts.add(System.nanoTime());
                        // close at once without a word: a peer that is not one
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])));
            await(12_000, () -> attempts.size() >= 8, "8 dial attempts");
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) {
            gaps.add((attempts.get(i) - attempts.get(i - 1)) / 1_000_000);
        }
        // 100, 200, 400, 800, 1600, 2000, 2000 ms (plus the time to notice the close)
        long[] expected = {100, 200, 400, 800, 1600, 2000, 2000};
        for (int i = 0; i < expected.length; i++) {
            assertThat(gaps.get(i)).as("gap %d in %s", i, gaps).isBetween(expected[i] - 10, expected[i] + 400);
        }
    }

    @Test
    void aPeerThatDoesNotReadNeverBlocksSendingNorGetsATornFrame() throws Exception {
        int[] p = Ports.free(2);
        try (ServerSocket sluggish = new ServerSocket()) {
            sluggish.setReuseAddress(true);
            sluggish.setReceiveBufferSize(4096);
            sluggish.bind(new InetSocketAddress("127.0.0.1", p[1]));
            Endpoint a = node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])));
            try (Socket peer = sluggish.accept()) {
                await(5000, () -> ((TcpTransport) a.transport).openConnections() == 1, "connected");
                byte[] frame = new byte[4000];
                int refused = 0;
                long worst = 0;
                int sent;
                for (sent = 0; sent < 5000 && refused < 50; sent++) {
                    frame[0] = (byte) sent;
                    long start = System.nanoTime();
                    try {
                        a.send(frame);
                    } catch (IOException e) {
                        assertThat(e.getMessage()).contains("frame dropped");
                        refused++;
                    }
                    worst = Math.max(worst, System.nanoTime() - start);
                }
                assertThat(refused).as("frames refused once the buffers were full").isEqualTo(50);
                assertThat(worst / 1_000_000).as("slowest send() in ms").isLessThan(250);

                // Now read everything: whole frames only, each 4000 bytes, never a torn one.
                peer.setSoTimeout(1500);
                DataInputStream in = new DataInputStream(peer.getInputStream());
                int frames = 0;
                try {
                    while (true) {
                        int len = in.readInt();
                        assertThat(len).isEqualTo(4000);
                        in.readFully(new byte[len]);
                        frames++;
                    }
                } catch (java.net.SocketTimeoutException drained) {
                    // nothing more: the last frame ended exactly at a boundary
                }
                assertThat(frames).isGreaterThan(0).isLessThan(sent);
            }
        }
    }

    @Test
    void aSilentConnectionIsClosedAndRedialled() throws Exception {
        int[] p = Ports.free(2);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket mute = new ServerSocket()) {
            mute.setReuseAddress(true);
            mute.bind(new InetSocketAddress("127.0.0.1", p[1]));
            Thread acceptor = new Thread(() -> {
                while (!mute.isClosed()) {
                    try {
                        accepted.add(mute.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])), 400);
            await(5000, () -> accepted.size() >= 2, "a second dial after the first went silent");
            InputStream first = accepted.get(0).getInputStream();
            accepted.get(0).setSoTimeout(1000);
            assertThat(first.read()).as("the silent connection was closed").isEqualTo(-1);
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void bindsOnlyTheConfiguredAddressAndDialsFromIt() throws Exception {
        int[] p = Ports.free(2);
        try (ServerSocket peer = new ServerSocket()) {
            peer.bind(new InetSocketAddress("127.0.0.1", p[1]));
            Endpoint a = node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])));
            try (ServerSocket other = new ServerSocket()) {
                other.bind(new InetSocketAddress("127.0.0.2", p[0]));
                assertThat(other.getLocalPort()).isEqualTo(p[0]);
            }
            try (Socket in = peer.accept()) {
                assertThat(in.getInetAddress().getHostAddress()).isEqualTo("127.0.0.1");
            }
            assertThat(a.context.linkStates).containsExactly(
                    new RecordingPathContext.LinkState(true, "listening on " + Ports.local(p[0])));
        }
    }

    @Test
    void openFailsAndReportsTheLinkDownWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            RecordingPathContext ctx = new RecordingPathContext("lan", "a",
                    Map.of("bind", Ports.local(taken.getLocalPort()), "peers", "127.0.0.1:9"));
            assertThatThrownBy(() -> new TcpTransportFactory().open(ctx)).isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen on " + Ports.local(taken.getLocalPort()));
            assertThat(ctx.linkStates).singleElement().extracting(RecordingPathContext.LinkState::up).isEqualTo(false);
        }
        RecordingPathContext bad = new RecordingPathContext("lan", "a", Map.of("bind", "nonsense"));
        assertThatThrownBy(() -> new TcpTransportFactory().open(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("bind: 'nonsense'");
        assertThat(bad.linkStates).singleElement().extracting(RecordingPathContext.LinkState::up).isEqualTo(false);
    }

    @Test
    void anEmptyFrameIsRefused() throws Exception {
        int[] p = Ports.free(2);
        Endpoint a = node("a", Map.of("bind", Ports.local(p[0]), "peers", Ports.local(p[1])));
        assertThatThrownBy(() -> a.send(new byte[0])).isInstanceOf(IOException.class).hasMessageContaining("empty");
    }

    // ---- strangers without the key (the core's check is played by RecordingPathContext.authentic) ----

    private static final String KEY = "key:";

    private Endpoint keyed(String name, int bind, int peer) throws IOException {
        Endpoint e = node(name, Map.of("bind", Ports.local(bind), "peers", Ports.local(peer)));
        e.context.authentic = t -> t.startsWith(KEY);
        return e;
    }

    /**
     * Connections that each send a valid length prefix, then one byte of the body now and then, never a whole
     * frame; each reconnects as soon as it finds itself closed. Bounded: it stops when closed.
     */
    private static final class Junk implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger connects = new java.util.concurrent.atomic.AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean closed;

        Junk(int perPort, int... ports) {
            for (int port : ports) {
                for (int i = 0; i < perPort; i++) {
                    Thread t = new Thread(() -> trickle(port), "junk-" + port + "-" + i);
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                }
            }
        }

        private void trickle(int port) {
            while (!closed) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    connects.incrementAndGet();
                    open.incrementAndGet();
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(ByteBuffer.allocate(4).putInt(4096).array());
                        for (int n = 0; n < 4000 && !closed; n++) {
                            Thread.sleep(100);
                            out.write('x');
                            out.flush();
                        }
                    } finally {
                        open.decrementAndGet();
                    }
                } catch (IOException e) {
                    sleepQuietly(20); // closed by the transport, or refused while the peer is down: try again
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static void sleepQuietly(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                t.join(5000);
            }
        }
    }

    @Test
    void aConnectionWithoutAnAuthenticatedFrameIsClosedSoonAfterItsAcceptEvenIfItKeepsSendingBytes() throws Exception {
        int[] p = Ports.free(2);
        Endpoint a = keyed("a", p[0], p[1]);
        assertThat(TcpTransport.authMillis(a.context.heartbeatIntervalMillis())).isEqualTo(500);
        try (Socket trickler = new Socket("127.0.0.1", p[0]); Socket forger = new Socket("127.0.0.1", p[0]);
                Socket peer = new Socket("127.0.0.1", p[0])) {
            trickler.setSoTimeout(5000);
            forger.setSoTimeout(5000);
            trickler.getOutputStream().write(ByteBuffer.allocate(4).putInt(4096).array());
            forger.getOutputStream().write(wire("a well-formed frame without the key"));
            peer.getOutputStream().write(wire(KEY + "first"));
            long t0 = System.nanoTime();
            int closedAfter = -1;
            for (int i = 0; i < 50; i++) { // 5 s at most
                try {
                    trickler.getOutputStream().write('x');
                    peer.getOutputStream().write(wire(KEY + i));
                } catch (IOException e) {
                    closedAfter = i;
                    break;
                }
                Thread.sleep(100);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(closedAfter).as("the trickling stranger was closed (after %d ms)", ms).isGreaterThanOrEqualTo(0);
            assertThat(trickler.getInputStream().read()).isEqualTo(-1);
            assertThat(forger.getInputStream().read()).as("the stranger with a forged frame was closed").isEqualTo(-1);
            assertThat(a.context.garbage).anySatisfy(g -> assertThat(g).contains("no authenticated frame within 500 ms"));
            // The peer that sent authenticated frames kept its connection past the deadline and still delivers.
            peer.getOutputStream().write(wire(KEY + "still here"));
            await(5000, () -> a.context.texts().contains(KEY + "still here"), "the peer's frame after the deadline");
        }
    }

    @Test
    void theOldestConnectionWaitingToAuthenticateGivesWayToANewOne() throws Exception {
        int[] p = Ports.free(2);
        Endpoint a = keyed("a", p[0], p[1]);
        a.context.intervalMillis = 5_000; // 10 s to authenticate: only the bound closes anything here
        List<Socket> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < TcpTransport.MAX_PENDING; i++) {
                Socket s = new Socket("127.0.0.1", p[0]);
                s.setSoTimeout(5000);
                waiting.add(s);
                Thread.sleep(2); // distinct accept times
            }
            await(5000, () -> ((TcpTransport) a.transport).openConnections() == TcpTransport.MAX_PENDING,
                    "all accepted");
            try (Socket peer = new Socket("127.0.0.1", p[0])) {
                assertThat(waiting.get(0).getInputStream().read()).as("the oldest waiting connection went").isEqualTo(-1);
                peer.getOutputStream().write(wire(KEY + "in"));
                await(5000, () -> a.context.texts().contains(KEY + "in"), "the newcomer's frame");
                assertThat(((TcpTransport) a.transport).openConnections()).isEqualTo(TcpTransport.MAX_PENDING);
            }
        } finally {
            for (Socket s : waiting) {
                s.close();
            }
        }
    }

    @Test
    void aRestartedPeerGetsBackInWhile68StrangersAtEachEndKeepTrying() throws Exception {
        int[] p = Ports.free(2);
        Endpoint a = keyed("a", p[0], p[1]);
        Endpoint b = keyed("b", p[1], p[0]);
        try (Junk junk = new Junk(68, p[0], p[1])) {
            await(10_000, () -> junk.open.get() >= 100, "strangers connected at both ends (" + junk.open + ")");
            b.close(); // the peer restarts...
            Thread.sleep(500);
            Endpoint b2 = keyed("b", p[1], p[0]); // ...and listens again while the strangers keep dialling in
            int before = junk.connects.get();
            long end = System.nanoTime() + 15_000_000_000L;
            int n = 0;
            while (!(a.context.texts().contains(KEY + "b2") && b2.context.texts().contains(KEY + "a"))) {
                assertThat(System.nanoTime()).as("a and the restarted b hear each other's authenticated frames; "
                        + "a heard %s, b heard %s", a.context.texts().stream().filter(t -> t.startsWith(KEY)).distinct()
                        .toList(), b2.context.texts().stream().filter(t -> t.startsWith(KEY)).distinct().toList())
                        .isLessThan(end);
                try {
                    a.send(KEY + "a");
                } catch (IOException busy) {
                    // no open connection may take it at this instant: the next heartbeat will
                }
                try {
                    b2.send(KEY + "b2");
                } catch (IOException busy) {
                    // as above
                }
                n++;
                Thread.sleep(100);
            }
            System.out.printf("[tcp-test] a and the restarted b heard each other after %d heartbeats; "
                    + "strangers connected %d times meanwhile%n", n, junk.connects.get() - before);
            assertThat(junk.connects.get()).as("the strangers kept trying all along").isGreaterThan(before);
        }
    }
}
