package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replay trial against two real nodes (separate Karaf JVMs on the loopback, one udp path {@code lan}).
 * node2 runs the demo web service; a recorder in this test (node2's path has it as a second peer, so it gets a
 * copy of every frame node2 sends) records 400 of node2's frames, each saying "node2 runs web". Then node2
 * crashes, node1 crashes and is started again, and the recording is replayed to node1's heartbeat port, from
 * node2's own address and port, at the pace it was recorded (40 s). The frames are authentic and, for the
 * restarted node1, never seen before.
 *
 * <p>Before the challenge, node1 took them all: node2 "online" for 40 s, the group "runs on node2 (sticky)", the
 * service down. Now node2 must never show online on node1, and node1 must start the group after its usual
 * start-up wait and serve it while the replay still goes on.
 */
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class ReplayAfterRestartIT {

    private static final int OFFSET = 120;
    private static final int FRAMES = 400;
    private static final String GROUP = "web";
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");

    private static Lab lab;
    private static ServiceWatch watch;
    private static Recorder recorder;
    private static int port;
    private static int udp1;
    private static int udp2;

    /** A udp peer of node2's path that keeps (a bounded number of) the datagrams it receives, with their time. */
    static final class Recorder implements AutoCloseable {
        final DatagramSocket socket;
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        private final Thread thread;
        private volatile boolean recording;
        private volatile boolean open = true;

        Recorder(int port) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(200);
            thread = new Thread(this::run, "replay-it-recorder");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] buf = new byte[65_536];
            while (open) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                synchronized (this) {
                    if (recording && frames.size() < FRAMES) {
                        frames.add(Arrays.copyOf(p.getData(), p.getLength()));
                        times.add(System.nanoTime());
                    }
                }
            }
        }

        /** Records the next {@link #FRAMES} datagrams; waits at most {@code timeout}. @return how many */
        int record(Duration timeout) {
            recording = true;
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end && count() < FRAMES) {
                Lab.sleep(100);
            }
            recording = false;
            return count();
        }

        synchronized int count() {
            return frames.size();
        }

        @Override
        public void close() {
            open = false;
            socket.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @BeforeAll
    static void setUp() throws IOException {
        Path dist = Prerequisites.require();
        int ssh = Prerequisites.intProperty("vigil.system.sshBase", 8301) + OFFSET;
        udp1 = Prerequisites.intProperty("vigil.system.udpBase", 7301) + OFFSET;
        udp2 = udp1 + 1;
        int tap = udp1 + 5;
        port = Prerequisites.intProperty("vigil.system.webPort", 18301) + OFFSET;
        if (Http.get(port) != null) {
            throw new AssertionError("something already answers on 127.0.0.1:" + port + "; stop it first");
        }
        lab = Lab.setUp("replay", 2, ssh, udp1, dist);
        try {
            recorder = new Recorder(tap);
            // node2 sends every frame to node1 and to the recorder (a udp path sends to each of its peers)
            Path cfg = lab.dir().resolve("node2/etc/org.vigil.path-lan.cfg");
            String text = Files.readString(cfg, StandardCharsets.UTF_8);
            String peers = "peers = 127.0.0.1:" + udp1;
            assertThat(text).as(cfg.toString()).contains(peers);
            Files.writeString(cfg, text.replace(peers, peers + ",127.0.0.1:" + tap), StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
            watch = new ServiceWatch(lab.dir().resolve("vigil-demo-web.py"), port);
            lab.start("node1", "node2");
            lab.awaitOnline("node1", "node2", Duration.ofSeconds(30));
            lab.awaitOnline("node2", "node1", Duration.ofSeconds(30));
            lab.addWebGroup("node1", GROUP, port);
            log("%s", lab.cliOk("node1", "vigil:bring-in --wait 30 " + GROUP).strip().replace('\n', ' '));
            if (!"node2".equals(awaitServed(Duration.ofSeconds(15)))) {
                log("%s", lab.cliOk("node1", "vigil:switchover --wait 30 " + GROUP + " node2").strip().replace('\n', ' '));
            }
            assertThat(awaitServedBy("node2", Duration.ofSeconds(15))).as("web served by node2").isPositive();
        } catch (RuntimeException | Error e) {
            String logs = lab.logTails();
            tearDown();
            e.addSuppressed(new AssertionError("node logs:\n" + logs));
            throw e;
        }
    }

    @AfterAll
    static void tearDown() {
        if (recorder != null) {
            recorder.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void heartbeatsRecordedFromACrashedPeerAndReplayedToARestartedNodeNeverMakeItLookAlive() throws Exception {
        int recorded = recorder.record(Duration.ofSeconds(90));
        assertThat(recorded).as("frames recorded from node2 while it ran web").isEqualTo(FRAMES);
        assertThat(Http.servedBy(port)).as("still served by node2 at the end of the recording").isEqualTo("node2");
        long spanMillis = (recorder.times.get(FRAMES - 1) - recorder.times.get(0)) / 1_000_000;
        log("recorded %d frames of node2 over %d ms", recorded, spanMillis);

        log("%s", lab.crash("node2").output());
        log("%s", lab.crash("node1").output());
        assertThat(watch.nodesNow()).as("the service runs nowhere after both crashes").isEmpty();
        // a killed JVM may hold its sockets a moment longer: the replay must reach the restarted node only
        assertThat(awaitUdp(udp1, false, Duration.ofSeconds(30))).as("node1's old heartbeat socket closed").isPositive();

        long restartAt = System.currentTimeMillis();
        CompletableFuture<Void> start = CompletableFuture.runAsync(() -> lab.start("node1"));
        long boundAt = awaitUdp(udp1, true, Duration.ofSeconds(120));
        assertThat(boundAt).as("node1's heartbeat port %d bound after its restart", udp1).isPositive();

        long servedAt = -1;
        long replayEnd;
        int sent = 0;
        try (DatagramSocket replayer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp2))) {
            InetSocketAddress node1 = new InetSocketAddress(InetAddress.getLoopbackAddress(), udp1);
            long t0 = System.nanoTime();
            long first = recorder.times.get(0);
            long nextCheck = 0;
            for (int i = 0; i < FRAMES; i++) {
                long due = t0 + (recorder.times.get(i) - first);
                while (System.nanoTime() < due) {
                    if (servedAt < 0 && System.nanoTime() >= nextCheck) {
                        nextCheck = System.nanoTime() + 200_000_000L;
                        if ("node1".equals(Http.servedBy(port))) {
                            servedAt = System.currentTimeMillis();
                        }
                    }
                    Lab.sleep(Math.max(1, Math.min(20, (due - System.nanoTime()) / 1_000_000)));
                }
                byte[] f = recorder.frames.get(i);
                replayer.send(new DatagramPacket(f, f.length, node1));
                sent++;
            }
            replayEnd = System.currentTimeMillis();
        }
        start.get();
        String status = lab.cliOk("node1", "vigil:status");
        log("replayed %d frames to node1 from 127.0.0.1:%d in %d ms; node1's status:%n%s", sent, udp2,
                replayEnd - boundAt, status);

        List<String> online = logLines("node1", "node node2 is online", restartAt);
        assertThat(online).as("node1's log since its restart: node2 shown online").isEmpty();
        assertThat(Pattern.compile("(?m)^\\s+node2\\s+online\\b").matcher(status).find())
                .as("node2 online in node1's status after the replay").isFalse();
        assertThat(status).as("node1 took the replayed frames as authentic but not as a live node2")
                .containsPattern("unanswered [1-9]");
        assertThat(servedAt).as("node1 served web while node2's recorded frames were still replayed to it (until %d)",
                replayEnd).isPositive().isLessThan(replayEnd);
        log("node1's heartbeat port bound at +%d ms after the restart; web served by node1 at +%d ms (replay ended"
                + " at +%d ms)", boundAt - restartAt, servedAt - restartAt, replayEnd - restartAt);
        assertThat(watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
    }

    /** @return the service's node (HTTP "served by"), waiting up to {@code timeout}; null if it never answered */
    private static String awaitServed(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String s = Http.servedBy(port);
            if (s != null) {
                return s;
            }
            Lab.sleep(100);
        }
        return null;
    }

    private static long awaitServedBy(String node, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (node.equals(Http.servedBy(port)) && watch.nodesNow().contains(node)) {
                return System.currentTimeMillis();
            }
            Lab.sleep(50);
        }
        return -1;
    }

    /**
     * Waits until a udp socket is bound to 127.0.0.1:port (/proc/net/udp), or until none is.
     *
     * @return when (epoch ms), or -1 after the timeout
     */
    private static long awaitUdp(int udpPort, boolean bound, Duration timeout) throws IOException {
        String local = String.format(Locale.ROOT, "0100007F:%04X", udpPort);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            boolean found = false;
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                String[] f = line.trim().split("\\s+");
                found |= f.length > 1 && f[1].equals(local);
            }
            if (found == bound) {
                return System.currentTimeMillis();
            }
            Lab.sleep(20);
        }
        return -1;
    }

    /** @return the lines of the node's karaf.log at or after {@code fromMillis} (epoch ms) containing {@code text} */
    private static List<String> logLines(String node, String text, long fromMillis) {
        Path log = lab.dir().resolve(node).resolve("data/log/karaf.log");
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.length() < 23 || !line.contains(text)) {
                    continue;
                }
                try {
                    long t = LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault())
                            .toInstant().toEpochMilli();
                    if (t >= fromMillis - 1) {
                        out.add(line);
                    }
                } catch (RuntimeException e) {
                    // not a log line's start
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[system] replay: " + format + "%n", args);
        System.out.flush();
    }
}
