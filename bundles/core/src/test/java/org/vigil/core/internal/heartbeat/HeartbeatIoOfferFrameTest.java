package org.vigil.core.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.policy.NodeReport;

/**
 * What the core answers a transport that asks, through {@link PathContext#offerFrame}, whether a frame was
 * a peer's: only a frame signed with the cluster key, built for this path, from another node and not older
 * than what was already accepted. (The tcp path closes connections that never carry such a frame.)
 */
class HeartbeatIoOfferFrameTest {

    private static final byte[] KEY = "offer-frame-test-cluster-key-0001".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private HeartbeatIo io;

    @AfterEach
    void tearDown() {
        if (io != null) {
            io.stop();
        }
    }

    private static byte[] frame(FrameCodec codec, String sender, String path, long incarnation, long sequence) {
        byte[] report = new WireReport(new NodeReport(0, Set.of(), true, Map.of()), "", false).encode();
        return codec.encode(new Frame(FrameType.HEARTBEAT, sender, path, incarnation, sequence, report));
    }

    @Test
    void onlyAFreshOrDuplicateAuthenticatedFrameOfAPeerForThisPathIsAccepted() {
        AtomicReference<PathContext> opened = new AtomicReference<>();
        HeartbeatTransportFactory capture = new HeartbeatTransportFactory() {
            @Override
            public TransportDescription describe() {
                return new TransportDescription("capture", "hands its context to the test", List.of());
            }

            @Override
            public List<String> validate(Map<String, String> parameters) {
                return List.of();
            }

            @Override
            public HeartbeatTransport open(PathContext context) {
                opened.set(context);
                return new HeartbeatTransport() {
                    @Override
                    public void send(byte[] frame) {
                    }

                    @Override
                    public void receive(int maxWaitMillis) throws java.io.IOException {
                        try {
                            Thread.sleep(Math.max(1, maxWaitMillis));
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                    }

                    @Override
                    public int maxFrameSize() {
                        return 65_000;
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        FrameCodec codec = new FrameCodec(KEY);
        io = new HeartbeatIo("node1", 1, codec, new MembershipTracker(100, 600),
                new DocumentStore(dir.resolve("cluster.json"), () -> { }),
                () -> new WireReport(new NodeReport(0, Set.of(), true, Map.of()), "", false),
                () -> System.nanoTime() / 1_000_000, () -> { }, new Alerts("node1"), 100);
        io.addFactory(capture);
        io.addPath(new PathConfiguration(Map.of("name", "lan", "type", "capture", "service.pid", "org.vigil.path.lan")));
        io.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() != null);
        PathContext ctx = opened.get();

        assertThat(ctx.heartbeatIntervalMillis()).isEqualTo(100);
        byte[] fresh = frame(codec, "node2", "lan", 7, 10);
        assertThat(ctx.offerFrame(fresh, 0, fresh.length, "peer")).as("a peer's fresh frame").isTrue();
        assertThat(ctx.offerFrame(fresh, 0, fresh.length, "peer")).as("the same frame over a second connection")
                .isTrue();
        byte[] older = frame(codec, "node2", "lan", 7, 9);
        assertThat(ctx.offerFrame(older, 0, older.length, "replay")).as("an older frame (a recording)").isFalse();
        byte[] earlierLife = frame(codec, "node2", "lan", 6, 500);
        assertThat(ctx.offerFrame(earlierLife, 0, earlierLife.length, "replay")).as("a frame of an earlier life")
                .isFalse();
        byte[] forged = frame(new FrameCodec("another-cluster-key-of-32-bytes!!".getBytes(StandardCharsets.UTF_8)),
                "node2", "lan", 7, 11);
        assertThat(ctx.offerFrame(forged, 0, forged.length, "stranger")).as("signed with another key").isFalse();
        byte[] otherPath = frame(codec, "node2", "wan", 7, 12);
        assertThat(ctx.offerFrame(otherPath, 0, otherPath.length, "peer")).as("built for another path").isFalse();
        byte[] own = frame(codec, "node1", "lan", 1, 5);
        assertThat(ctx.offerFrame(own, 0, own.length, "mirror")).as("this node's own frame, reflected").isFalse();
        byte[] garbage = "not a frame at all".getBytes(StandardCharsets.UTF_8);
        assertThat(ctx.offerFrame(garbage, 0, garbage.length, "stranger")).isFalse();
        byte[] next = frame(codec, "node2", "lan", 7, 13);
        assertThat(ctx.offerFrame(next, 0, next.length, "peer")).as("the peer's next frame").isTrue();
    }
}
