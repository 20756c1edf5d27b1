package org.vigil.heartbeat.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.vigil.heartbeat.udp.internal.Node.freePorts;
import static org.vigil.heartbeat.udp.internal.Node.local;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.tck.heartbeat.RecordingPathContext;

/** Real datagrams over 127.0.0.1 only. */
class UdpTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final List<AutoCloseable> cleanup = new java.util.ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private Node node(String name, Map<String, String> parameters) throws IOException {
        Node node = new Node(name, parameters);
        cleanup.add(node);
        return node;
    }

    @Test
    void twoNodesExchangeFramesBothWays() throws Exception {
        int[] p = freePorts(2);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1]), "ttl", "1"));
        Node b = node("b", Map.of("bind", local(p[1]), "peers", local(p[0]), "ttl", "1"));

        a.send("hello from a");
        b.send("hello from b");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(b.context.texts()).containsExactly("hello from a");
            assertThat(a.context.texts()).containsExactly("hello from b");
        });
        assertThat(b.context.frames.get(0).source()).isEqualTo(local(p[0]));
        assertThat(a.context.frames.get(0).source()).isEqualTo(local(p[1]));
        assertThat(a.context.linkStates).containsExactly(
                new RecordingPathContext.LinkState(true, "bound to " + local(p[0])));
        assertThat(a.context.garbage).isEmpty();
        assertThat(a.receiveErrors).isEmpty();
        assertThat(b.receiveErrors).isEmpty();
        assertThat(a.transport.maxFrameSize()).isEqualTo(65_000);
    }

    @Test
    void largestFrameArrivesWhole() throws Exception {
        int[] p = freePorts(2);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1])));
        Node b = node("b", Map.of("bind", local(p[1]), "peers", local(p[0])));
        byte[] frame = new byte[65_000];
        Arrays.fill(frame, (byte) 'x');
        frame[64_999] = 'z';

        a.transport.send(frame);

        await().atMost(WAIT).until(() -> b.context.frames.size() == 1);
        assertThat(b.context.frames.get(0).data()).isEqualTo(frame);
        assertThat(b.context.garbage).isEmpty();
    }

    @Test
    void threeNodesAllReceiveEachOther() throws Exception {
        int[] p = freePorts(3);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1]) + ", " + local(p[2])));
        Node b = node("b", Map.of("bind", local(p[1]), "peers", local(p[0]) + "," + local(p[2])));
        Node c = node("c", Map.of("bind", local(p[2]), "peers", local(p[0]) + "," + local(p[1])));

        a.send("a1");
        b.send("b1");
        c.send("c1");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.context.texts()).containsExactlyInAnyOrder("b1", "c1");
            assertThat(b.context.texts()).containsExactlyInAnyOrder("a1", "c1");
            assertThat(c.context.texts()).containsExactlyInAnyOrder("a1", "b1");
        });
    }

    @Test
    void garbageIsHandedOverAndOversizeIsReportedAndReceivingContinues() throws Exception {
        int[] p = freePorts(2);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1])));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), p[0]);

        try (DatagramSocket raw = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // Not a peer, not a frame: still delivered, judging content is the core's job.
            byte[] junk = {0, (byte) 0xff, 42, 13, 10};
            raw.send(new DatagramPacket(junk, junk.length, target));
            await().atMost(WAIT).until(() -> a.context.frames.size() == 1);
            assertThat(a.context.frames.get(0).data()).isEqualTo(junk);
            assertThat(a.context.frames.get(0).source()).isEqualTo("127.0.0.1:" + raw.getLocalPort());

            byte[] oversize = new byte[65_001];
            raw.send(new DatagramPacket(oversize, oversize.length, target));
            byte[] huge = new byte[65_507];
            raw.send(new DatagramPacket(huge, huge.length, target));
            await().atMost(WAIT).until(() -> a.context.garbage.size() == 2);
            assertThat(a.context.garbage).allSatisfy(reason -> assertThat(reason)
                    .startsWith("datagram too large").contains("127.0.0.1:" + raw.getLocalPort()));

            raw.send(new DatagramPacket(new byte[0], 0, target));
            await().atMost(WAIT).until(() -> a.context.garbage.size() == 3);
            assertThat(a.context.garbage.get(2)).startsWith("empty datagram");

            raw.send(new DatagramPacket("after".getBytes(), 5, target));
            await().atMost(WAIT).until(() -> a.context.frames.size() == 2);
            assertThat(a.context.frames.get(1).text()).isEqualTo("after");
        }
        assertThat(a.receiveErrors).isEmpty();
    }

    @Test
    void closeUnblocksAWaitingReceiveWithinOneSecond() throws Exception {
        int[] p = freePorts(2);
        RecordingPathContext ctx = new RecordingPathContext("lan", "a",
                Map.of("bind", local(p[0]), "peers", local(p[1])));
        HeartbeatTransport t = new UdpTransportFactory().open(ctx);
        CompletableFuture<Void> receiving = CompletableFuture.runAsync(() -> {
            try {
                t.receive(60_000);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300); // let it block in select
        assertThat(receiving).isNotDone();

        long start = System.nanoTime();
        t.close();
        receiving.get(1, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

        t.close(); // twice is harmless
        assertThatThrownBy(() -> t.receive(10)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> t.send(new byte[] {1})).isInstanceOf(IOException.class);
        // The port is free again at once.
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", p[0]))) {
            assertThat(again.getLocalPort()).isEqualTo(p[0]);
        }
    }

    @Test
    void aDeadPeerDoesNotStopFramesToALivePeer() throws Exception {
        int[] p = freePorts(3); // p[1] is nobody's: ICMP port unreachable comes back for it
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1]) + "," + local(p[2])));
        Node c = node("c", Map.of("bind", local(p[2]), "peers", local(p[0])));

        for (int i = 0; i < 20; i++) {
            a.send("beat " + i);
            Thread.sleep(5);
        }

        await().atMost(WAIT).until(() -> c.context.frames.size() == 20);
        assertThat(c.context.texts()).startsWith("beat 0").endsWith("beat 19");
        assertThat(a.receiveErrors).isEmpty();
        assertThat(a.context.garbage).isEmpty();
    }

    @Test
    void sendToOnlyDeadPeersNeverThrowsForUnreachablePorts() throws Exception {
        int[] p = freePorts(2);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1])));
        for (int i = 0; i < 10; i++) {
            a.send("into the void " + i); // must not throw, even after ICMP errors came back
            Thread.sleep(5);
        }
        Thread.sleep(300);
        assertThat(a.receiveErrors).isEmpty();
    }

    @Test
    void oversizeFrameIsRefusedWithAClearMessage() throws Exception {
        int[] p = freePorts(2);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1])));
        assertThatThrownBy(() -> a.transport.send(new byte[65_001]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("65001 bytes")
                .hasMessageContaining("65000");
    }

    @Test
    void ipv6LoopbackWorksToo() throws Exception {
        int[] p = freePorts(2);
        Node a;
        try {
            a = node("a", Map.of("bind", "[::1]:" + p[0], "peers", "[::1]:" + p[1]));
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        Node b = node("b", Map.of("bind", "[::1]:" + p[1], "peers", "[::1]:" + p[0]));
        a.send("v6");
        await().atMost(WAIT).until(() -> b.context.frames.size() == 1);
        assertThat(b.context.frames.get(0).source()).isEqualTo("[0:0:0:0:0:0:0:1]:" + p[0]);
    }

    @Test
    void openFailsAndReportsTheLinkDownWhenTheAddressIsNotLocal() {
        // TEST-NET-2 is not configured here; only a bind is attempted, nothing is sent.
        RecordingPathContext ctx = new RecordingPathContext("lan", "a", Map.of("bind", "198.51.100.7:5405",
                "peers", "198.51.100.8:5405"));
        assertThatThrownBy(() -> new UdpTransportFactory().open(ctx))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bind 198.51.100.7:5405");
        assertThat(ctx.linkStates).singleElement().satisfies(s -> {
            assertThat(s.up()).isFalse();
            assertThat(s.reason()).contains("198.51.100.7:5405");
        });
    }

    @Test
    void openFailsWhenThePortIsTaken() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            RecordingPathContext ctx = new RecordingPathContext("lan", "a",
                    Map.of("bind", local(taken.getLocalPort()), "peers", "127.0.0.1:9"));
            assertThatThrownBy(() -> new UdpTransportFactory().open(ctx))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(local(taken.getLocalPort()));
            assertThat(ctx.linkStates).singleElement().extracting(RecordingPathContext.LinkState::up).isEqualTo(false);
        }
    }

    @Test
    void openRefusesInvalidParameters() {
        RecordingPathContext ctx = new RecordingPathContext("lan", "a", Map.of("bind", "nonsense"));
        assertThatThrownBy(() -> new UdpTransportFactory().open(ctx))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bind: 'nonsense'");
        assertThat(ctx.linkStates).singleElement().extracting(RecordingPathContext.LinkState::up).isEqualTo(false);
    }

    /**
     * The per-peer sockets share the bind port (SO_REUSEADDR), yet a second transport on the same address and port
     * (another node process misconfigured onto it) still fails at open instead of silently sharing the datagrams.
     */
    @Test
    void aSecondTransportOnTheSameAddressAndPortFailsLoudly() throws Exception {
        int[] p = freePorts(2);
        node("a", Map.of("bind", local(p[0]), "peers", local(p[1])));
        RecordingPathContext second = new RecordingPathContext("lan", "a2", Map.of("bind", local(p[0]), "peers", local(p[1])));
        assertThatThrownBy(() -> new UdpTransportFactory().open(second)).isInstanceOf(IOException.class)
                .hasMessageContaining(local(p[0]));
        assertThat(second.linkStates).singleElement().satisfies(l -> assertThat(l.up()).isFalse());
    }

    @Test
    void bindsOnlyTheConfiguredAddress() throws Exception {
        int[] p = freePorts(2);
        Node a = node("a", Map.of("bind", local(p[0]), "peers", local(p[1])));
        // Another loopback address on the same port is still free: a was not bound to the wildcard.
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.2", p[0]))) {
            assertThat(other.getLocalPort()).isEqualTo(p[0]);
        }
        assertThat(a.context.linkStates.get(0).reason()).isEqualTo("bound to " + local(p[0]));
    }

    @Test
    void localLinkStateIsReportedOnChangesOnly() throws Exception {
        int[] p = freePorts(4);
        java.util.concurrent.atomic.AtomicReference<Object> probe = new java.util.concurrent.atomic.AtomicReference<>();
        Node fake = node("fake", Map.of("bind", local(p[0]), "peers", local(p[1])), t -> {
            Object answer = probe.get();
            if (answer instanceof java.net.SocketException e) {
                throw e;
            }
            return (String) answer;
        });
        Node real = node("real", Map.of("bind", local(p[2]), "peers", local(p[3])));
        var up = new RecordingPathContext.LinkState(true, "bound to " + local(p[0]));
        var down = new RecordingPathContext.LinkState(false, "address 127.0.0.1 is no longer configured on this node");

        Thread.sleep(1_500); // at least one check has run: no change, nothing reported
        assertThat(fake.context.linkStates).containsExactly(up);

        probe.set(down.reason());
        await().atMost(WAIT).until(() -> fake.context.linkStates.size() == 2);
        probe.set(new java.net.SocketException("cannot list interfaces")); // unknown: keep the last state
        Thread.sleep(1_500);
        probe.set(null);
        await().atMost(WAIT).until(() -> fake.context.linkStates.size() == 3);
        Thread.sleep(1_200);

        assertThat(fake.context.linkStates).containsExactly(up, down,
                new RecordingPathContext.LinkState(true, "bound to " + local(p[0]) + " again"));
        // The real check finds 127.0.0.1 on an up interface all along.
        assertThat(real.context.linkStates).containsExactly(
                new RecordingPathContext.LinkState(true, "bound to " + local(p[2])));
        assertThat(fake.receiveErrors).isEmpty();
        assertThat(real.receiveErrors).isEmpty();
    }

    private Node node(String name, Map<String, String> parameters, UdpTransport.LinkProbe probe) throws IOException {
        Node node = new Node(name, parameters, probe);
        cleanup.add(node);
        return node;
    }
}
