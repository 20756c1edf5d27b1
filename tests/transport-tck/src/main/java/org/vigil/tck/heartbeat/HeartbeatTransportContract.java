package org.vigil.tck.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vigil.api.ParameterDescription;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.TransportDescription;

/**
 * The contract every heartbeat transport passes, written once and run over every medium (UDP, TCP,
 * serial, in memory). A transport's test extends this class and says how to open N endpoints that reach
 * each other, how to put garbage on the medium, and (when the defaults do not fit) how a peer goes away
 * and comes back.
 *
 * <p>What it proves, on a healthy medium: frames arrive intact and in order both ways (and among three
 * endpoints where the medium has more than two ends); frames up to a realistic size (4 KiB, or the
 * transport's own maximum when smaller) arrive whole and a larger one is refused with an
 * {@link IOException}; {@code receive} returns within about its wait when nothing comes;
 * {@code close} ends a blocked {@code receive} within a second and never throws; garbage on the
 * medium never makes {@code receive} throw, is reported or handed over, and the next good frame still
 * arrives; sending towards a peer that is not there yet, or went away, neither blocks nor breaks the
 * path, and the peer is heard once it is back.
 *
 * <p>The test thread plays the core: every endpoint's receive loop runs on a thread of the test, the
 * way the core runs one per path.
 */
public abstract class HeartbeatTransportContract {

    /** The largest frame the contract sends when the transport allows more. */
    protected static final int REALISTIC_FRAME = 4096;

    private final List<Endpoint> endpoints = new ArrayList<>();

    // ---- what a transport's test supplies ----

    /** @return the transport kind under test */
    protected abstract HeartbeatTransportFactory factory();

    /**
     * Parameters for endpoints that reach each other: endpoint i sends to all the others. Called once
     * per test; each call may hand out fresh ports or devices.
     *
     * @param count how many endpoints, from 2 to {@link #maxEndpoints()}
     * @return one parameter map per endpoint, without the kind's defaults (the contract fills them in)
     */
    protected abstract List<Map<String, String>> connectedParameters(int count) throws Exception;

    /**
     * Puts bytes on the medium so that they reach the given endpoint between frames (a stray datagram,
     * a stranger's connection, noise on the line).
     *
     * @param target  the endpoint that should see them
     * @param garbage the bytes
     */
    protected abstract void injectGarbage(Endpoint target, byte[] garbage) throws Exception;

    /** @return how many endpoints the medium connects; 2 for a point-to-point medium */
    protected int maxEndpoints() {
        return 3;
    }

    /**
     * @return true when the medium may deliver a frame twice on a healthy medium (for example two TCP
     *         connections between the same nodes); the core's replay guard drops the copies
     */
    protected boolean mayDuplicate() {
        return false;
    }

    /**
     * Called after each frame the contract sends in a burst, to keep within the medium's rate the way
     * heartbeats do (a serial line carries a few hundred frames a second, not thousands).
     *
     * @param frameLength the length of the frame just sent
     */
    protected void pace(int frameLength) throws InterruptedException {
    }

    /**
     * @return true when the medium can tell that nothing listens at a peer's endpoint (a UDP port answered by ICMP
     *         port unreachable, a TCP reset): the transport must then report refusals; false for a serial line or
     *         a shared disk, whose transport must not
     */
    protected boolean canRefuse() {
        return false;
    }

    /**
     * @return how long one send() may take at most: it runs on the core's sender thread. 500 ms by default; a medium
     *         whose writes wait for a device (a shared disk under I/O load) says how long that may be
     */
    protected Duration sendBound() {
        return Duration.ofMillis(500);
    }

    /** @return how long a frame may take to arrive on a healthy medium */
    protected Duration deliveryTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * Makes a peer go away (by default it closes; a transport may cut its cable instead).
     *
     * @param peer the endpoint
     */
    protected void peerAway(Endpoint peer) throws Exception {
        peer.close();
    }

    /**
     * Brings back a peer that went away with {@link #peerAway}; by default it opens again with the same
     * parameters.
     *
     * @param peer the endpoint that went away
     * @return the endpoint to use from now on
     */
    protected Endpoint peerBack(Endpoint peer) throws Exception {
        return open(peer.name, peer.parameters);
    }

    // ---- helpers for subclasses ----

    /**
     * Opens an endpoint with its receive loop running; closed after the test.
     *
     * @param name       the node name
     * @param parameters its parameters without defaults
     * @return the endpoint
     */
    protected final Endpoint open(String name, Map<String, String> parameters) throws IOException {
        Endpoint e = Endpoint.open(factory(), "tck", name, withDefaults(parameters));
        endpoints.add(e);
        return e;
    }

    /** As {@link #open}, without a receive loop. */
    protected final Endpoint openManual(String name, Map<String, String> parameters) throws IOException {
        Endpoint e = Endpoint.openManual(factory(), "tck", name, withDefaults(parameters));
        endpoints.add(e);
        return e;
    }

    /** @return the parameters with the kind's defaults filled in, as the core does */
    protected final Map<String, String> withDefaults(Map<String, String> parameters) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ParameterDescription p : factory().describe().parameters()) {
            if (p.defaultValue() != null) {
                out.put(p.name(), p.defaultValue());
            }
        }
        out.putAll(parameters);
        return out;
    }

    /** Waits until the condition holds, or fails with the description. */
    protected static void await(Duration timeout, BooleanSupplier condition, Supplier<String> description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms: " + description.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    @AfterEach
    void closeEndpoints() {
        for (Endpoint e : endpoints) {
            e.close();
        }
        endpoints.clear();
    }

    private List<Endpoint> openConnected(int count) throws Exception {
        List<Map<String, String>> params = connectedParameters(count);
        assertThat(params).as("connectedParameters(%d)", count).hasSize(count);
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(open("node" + (char) ('a' + i), params.get(i)));
        }
        // A medium is healthy once every endpoint has heard every other (connections are up, a
        // serial line has settled): warm-up beats, as the core sends anyway, until then.
        Random random = new Random(count);
        for (Endpoint x : out) {
            for (Endpoint y : out) {
                if (x != y) {
                    beatUntilHeard(x, y, "warm", random);
                }
            }
        }
        return out;
    }

    /** A frame whose content names its sender and number and has a seeded random body. */
    private static byte[] frame(String sender, int number, int length, Random random) {
        byte[] head = (sender + "#" + number + ":").getBytes(StandardCharsets.ISO_8859_1);
        byte[] f = new byte[Math.max(length, head.length)];
        random.nextBytes(f);
        System.arraycopy(head, 0, f, 0, head.length);
        return f;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The frames an endpoint got from a sender, in arrival order; copies dropped when the medium may duplicate. */
    private List<String> from(Endpoint receiver, String sender) {
        List<String> got = new ArrayList<>();
        for (String t : receiver.context.texts()) {
            if (t.startsWith(sender + "#")) {
                got.add(t);
            }
        }
        if (mayDuplicate()) {
            return new ArrayList<>(new LinkedHashSet<>(got));
        }
        return got;
    }

    private static List<String> distinct(List<String> frames) {
        return new ArrayList<>(new LinkedHashSet<>(frames));
    }

    private static List<String> withoutWarmUp(Endpoint e) {
        return e.context.texts().stream().filter(t -> !t.matches("(?s)^node[a-z]~.*")).toList();
    }

    private static String summary(Endpoint e) {
        List<String> heads = e.context.texts().stream()
                .map(t -> t.length() > 16 ? t.substring(0, 16) + "...(" + t.length() + ")" : t)
                .map(t -> t.replaceAll("[^\\x20-\\x7e]", "?")).toList();
        return e.name + " got " + heads.size() + " frames " + heads + ", garbage " + e.context.garbage
                + ", receive errors " + e.receiveErrors;
    }

    private void assertHealthy(Endpoint... es) {
        for (Endpoint e : es) {
            assertThat(e.receiveErrors).as("exceptions from %s's receive()", e.name).isEmpty();
        }
    }

    // ---- the contract ----

    @Test
    void describesItselfAndValidatesWithoutThrowing() throws Exception {
        TransportDescription d = factory().describe();
        assertThat(d.type()).matches("[a-z][a-z0-9-]*");
        assertThat(d.summary()).isNotBlank();
        for (ParameterDescription p : d.parameters()) {
            assertThat(p.name()).matches("[a-z][a-z0-9-]*");
            assertThat(p.description()).as("description of %s", p.name()).isNotBlank();
        }
        for (Map<String, String> p : connectedParameters(2)) {
            assertThat(factory().validate(withDefaults(p))).as("problems with %s", p).isEmpty();
        }
        assertThat(factory().validate(null)).isNotEmpty();
        assertThat(factory().validate(Map.of())).isNotEmpty();
    }

    @Test
    void framesArriveIntactAndInOrderBothWays() throws Exception {
        List<Endpoint> e = openConnected(2);
        Endpoint a = e.get(0);
        Endpoint b = e.get(1);
        Random random = new Random(1);
        List<String> fromA = new ArrayList<>();
        List<String> fromB = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] fa = frame(a.name, i, 1 + random.nextInt(400), random);
            byte[] fb = frame(b.name, i, 1 + random.nextInt(400), random);
            a.send(fa);
            b.send(fb);
            fromA.add(text(fa));
            fromB.add(text(fb));
            pace(Math.max(fa.length, fb.length));
        }
        await(deliveryTimeout(), () -> from(b, a.name).size() >= 40 && from(a, b.name).size() >= 40,
                () -> summary(a) + "; " + summary(b));
        assertThat(from(b, a.name)).as("frames from a at b, in order").containsExactlyElementsOf(fromA);
        assertThat(from(a, b.name)).as("frames from b at a, in order").containsExactlyElementsOf(fromB);
        assertThat(a.context.garbage).as("garbage at a").isEmpty();
        assertThat(b.context.garbage).as("garbage at b").isEmpty();
        assertThat(a.context.frames).allSatisfy(f -> assertThat(f.source()).isNotBlank());
        assertThat(a.context.linkStates).as("link states of a").isNotEmpty();
        assertThat(a.context.linkStates.get(0).up()).as("a's first link state").isTrue();
        assertHealthy(a, b);
    }

    @Test
    void threeEndpointsAllHearEachOther() throws Exception {
        Assumptions.assumeTrue(maxEndpoints() >= 3, "the medium is point-to-point");
        List<Endpoint> e = openConnected(3);
        Random random = new Random(3);
        for (int i = 0; i < 5; i++) {
            for (Endpoint x : e) {
                x.send(frame(x.name, i, 50, random));
                pace(50);
            }
        }
        await(deliveryTimeout(), () -> e.stream().allMatch(x -> e.stream().filter(y -> y != x)
                .allMatch(y -> from(x, y.name).size() >= 5)),
                () -> e.stream().map(HeartbeatTransportContract::summary).toList().toString());
        for (Endpoint x : e) {
            for (Endpoint y : e) {
                if (x != y) {
                    assertThat(from(x, y.name)).as("frames from %s at %s", y.name, x.name).hasSize(5);
                }
            }
            assertThat(from(x, x.name)).as("%s's own frames come back to it", x.name).isEmpty();
        }
        assertHealthy(e.toArray(Endpoint[]::new));
    }

    @Test
    void framesUpToARealisticSizeArriveWholeAndLargerOnesAreRefused() throws Exception {
        List<Endpoint> e = openConnected(2);
        Endpoint a = e.get(0);
        Endpoint b = e.get(1);
        int max = a.transport.maxFrameSize();
        assertThat(max).as("maxFrameSize()").isGreaterThanOrEqualTo(256);
        assertThat(b.transport.maxFrameSize()).isEqualTo(max);
        Set<Integer> sizes = new java.util.TreeSet<>(List.of(1, 2, 64, 255, 256, 1000));
        sizes.add(Math.min(1500, max));
        sizes.add(Math.min(REALISTIC_FRAME, max));
        if (max <= 65_536) {
            sizes.add(max);
        }
        sizes.removeIf(s -> s > max);
        Random random = new Random(4);
        List<String> sent = new ArrayList<>();
        int n = 0;
        for (int size : sizes) {
            byte[] f = frame(a.name, n++, size, random);
            if (size < 8) { // too short for the usual head: still unique among these
                f = new byte[size];
                random.nextBytes(f);
            }
            a.send(f);
            sent.add(text(f));
            pace(f.length);
        }
        // with copies (two connections), count distinct frames: the copies alone could reach the count first
        await(deliveryTimeout(), () -> distinct(withoutWarmUp(b)).size() >= sent.size(),
                () -> summary(b) + " expected sizes " + sizes);
        List<String> got = withoutWarmUp(b);
        if (mayDuplicate()) {
            // each connection keeps its order, but two connections interleave: the same frames, in any order
            assertThat(distinct(got)).as("frames of sizes %s", sizes).containsExactlyInAnyOrderElementsOf(sent);
        } else {
            assertThat(got).as("frames of sizes %s", sizes).containsExactlyElementsOf(sent);
        }

        try {
            a.send(new byte[max + 1]);
            fail("send() of a frame of " + (max + 1) + " bytes must throw IOException (maxFrameSize() is " + max + ")");
        } catch (IOException expected) {
            assertThat(expected.getMessage()).as("message of the refusal").isNotBlank();
        }
        byte[] after = frame(a.name, 999, 10, random);
        a.send(after);
        await(deliveryTimeout(), () -> b.context.texts().contains(text(after)), () -> summary(b));
        assertThat(b.context.garbage).isEmpty();
        assertHealthy(a, b);
    }

    @Test
    void receiveReturnsWithinAboutItsWaitWhenNothingComes() throws Exception {
        List<Map<String, String>> p = connectedParameters(2);
        Endpoint a = openManual("nodea", p.get(0));
        long total = 0;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            a.transport.receive(100);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(took).as("receive(100) #%d took %d ms", i, took).isLessThan(600);
            total += took;
        }
        assertThat(total).as("five idle receive(100) calls together: a loop over receive must not spin").isGreaterThanOrEqualTo(100);
        long start = System.nanoTime();
        a.transport.receive(0);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("receive(0)").isLessThan(600);
    }

    @Test
    void closeEndsABlockedReceiveWithinOneSecondAndNeverThrows() throws Exception {
        List<Map<String, String>> p = connectedParameters(2);
        Endpoint a = openManual("nodea", p.get(0));
        CompletableFuture<Throwable> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                a.transport.receive(60_000);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(300);
        assertThat(receiving).as("receive(60000) is waiting").isNotDone();
        long start = System.nanoTime();
        a.transport.close();
        long closing = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Throwable t = receiving.get(1, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("receive ended after close").isLessThan(1000);
        assertThat(closing).as("close() took").isLessThan(1000);
        assertThat(t == null || t instanceof IOException).as("receive ended by close threw %s", t).isTrue();

        a.transport.close(); // twice is harmless
        long s2 = System.nanoTime();
        try {
            a.transport.receive(50);
        } catch (IOException expected) {
            // a closed transport may say so
        }
        try {
            a.transport.send(new byte[] {1, 2, 3});
        } catch (IOException expected) {
            // a closed transport may say so
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s2)).as("receive and send after close").isLessThan(1000);
    }

    @Test
    void garbageNeverThrowsAndTheNextGoodFrameStillArrives() throws Exception {
        List<Endpoint> e = openConnected(2);
        Endpoint a = e.get(0);
        Endpoint b = e.get(1);
        Random random = new Random(7);
        a.send(frame(a.name, 0, 20, random));
        await(deliveryTimeout(), () -> !from(b, a.name).isEmpty(), () -> summary(b));

        List<byte[]> garbage = new ArrayList<>();
        garbage.add(new byte[] {0});
        garbage.add(new byte[64]);
        byte[] ones = new byte[300];
        java.util.Arrays.fill(ones, (byte) 0xff);
        garbage.add(ones);
        for (int i = 0; i < 12; i++) {
            byte[] g = new byte[1 + random.nextInt(i < 6 ? 40 : 1500)];
            random.nextBytes(g);
            garbage.add(g);
        }
        int number = 1;
        for (byte[] g : garbage) {
            int framesBefore = b.context.frames.size();
            int garbageBefore = b.context.garbage.size();
            injectGarbage(b, g);
            byte[] good = frame(a.name, number++, 10 + random.nextInt(200), random);
            String goodText = text(good);
            // A heartbeat a little later; the sender keeps beating, as the core does, until it is heard.
            long deadline = System.nanoTime() + deliveryTimeout().toNanos();
            Thread.sleep(20);
            a.send(good);
            long nextResend = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (!b.context.texts().contains(goodText)) {
                if (System.nanoTime() > deadline) {
                    fail("the good frame after " + g.length + " bytes of garbage never arrived: " + summary(b));
                }
                if (System.nanoTime() > nextResend) {
                    byte[] again = frame(a.name, number++, 12, random);
                    a.send(again);
                    nextResend = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    if (b.context.texts().contains(text(again))) {
                        break;
                    }
                }
                Thread.sleep(5);
            }
            // The garbage was reported, or handed over as a frame (the core then rejects it).
            await(deliveryTimeout(), () -> b.context.garbage.size() > garbageBefore
                    || b.context.frames.stream().skip(framesBefore).anyMatch(f -> !f.text().startsWith(a.name)),
                    () -> "neither reported nor handed over: " + g.length + " bytes of garbage; " + summary(b));
        }
        assertHealthy(a, b);
        // Still a working path afterwards, both ways.
        byte[] last = frame(b.name, 1000, 100, random);
        b.send(last);
        await(deliveryTimeout(), () -> a.context.texts().contains(text(last)), () -> summary(a));
    }

    /** Sends numbered frames every 100 ms until the receiver has one of them. */
    private void beatUntilHeard(Endpoint sender, Endpoint receiver, String tag, Random random) throws Exception {
        long deadline = System.nanoTime() + deliveryTimeout().toNanos();
        Set<String> sent = new LinkedHashSet<>();
        int n = 0;
        while (true) {
            byte[] f = frame(sender.name + "~" + tag, n++, 30, random);
            sent.add(text(f));
            long start = System.nanoTime();
            try {
                sender.send(f);
            } catch (IOException allowed) {
                // no peer yet: the core counts a send error and beats again
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("send() took").isLessThan(sendBound().toMillis());
            Thread.sleep(100);
            if (receiver.context.texts().stream().anyMatch(sent::contains)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(tag + ": " + receiver.name + " never heard " + sender.name + " (" + sent.size() + " frames sent): "
                        + summary(receiver));
            }
        }
    }

    @Test
    void aPeerThatIsNotThereYetIsHeardOnceItComes() throws Exception {
        List<Map<String, String>> p = connectedParameters(2);
        Endpoint a = open("nodea", p.get(0));
        Random random = new Random(8);
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            try {
                a.send(frame(a.name, i, 100, random));
            } catch (IOException allowed) {
                // nobody there: a counted send error, never a hang
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("send() to nobody took").isLessThan(sendBound().toMillis());
            Thread.sleep(50);
        }
        Endpoint b = open("nodeb", p.get(1));
        beatUntilHeard(a, b, "late", random);
        beatUntilHeard(b, a, "back", random);
        assertHealthy(a, b);
    }

    @Test
    void aPeerThatGoesAwayAndComesBackIsHeardAgain() throws Exception {
        List<Endpoint> e = openConnected(2);
        Endpoint a = e.get(0);
        Endpoint b = e.get(1);
        Random random = new Random(9);
        beatUntilHeard(a, b, "first", random);
        beatUntilHeard(b, a, "first", random);

        peerAway(b);
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            try {
                a.send(frame(a.name, 100 + i, 100, random));
            } catch (IOException allowed) {
                // the peer is gone: a counted send error, never a hang
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("send() to a gone peer took").isLessThan(sendBound().toMillis());
            Thread.sleep(50);
        }
        Endpoint b2 = peerBack(b);
        if (!endpoints.contains(b2)) {
            endpoints.add(b2);
        }
        beatUntilHeard(a, b2, "again", random);
        beatUntilHeard(b2, a, "again", random);
        assertHealthy(a, b2);
    }

    /**
     * A transport that {@link org.vigil.api.heartbeat.HeartbeatTransport#reportsRefusals reports refusals} names
     * a peer whose port closed (its process is gone), by the very endpoint the peer's frames came from, so the
     * core can tell which node refused; and it never names a peer that is there.
     */
    @Test
    void aPeerWhosePortClosedIsReportedRefusedByTheEndpointItsFramesCameFrom() throws Exception {
        List<Endpoint> e = openConnected(2);
        Endpoint a = e.get(0);
        Endpoint b = e.get(1);
        assertThat(a.transport.reportsRefusals()).as("reportsRefusals() of a transport whose medium %s refuse",
                canRefuse() ? "can" : "cannot").isEqualTo(canRefuse());
        assumeTrue(canRefuse(), "this medium cannot tell a closed port");
        Random random = new Random(12);
        beatUntilHeard(b, a, "alive", random);
        Set<String> sources = new java.util.HashSet<>();
        a.context.frames.stream().filter(f -> f.text().startsWith(b.name)).forEach(f -> sources.add(f.source()));
        // A dial before the peer listened was refused, rightly; the core ignores a refusal older than a frame.
        a.context.refusals.clear();
        for (int i = 0; i < 10; i++) {
            a.send(frame(a.name, 100 + i, 100, random));
            Thread.sleep(20);
        }
        assertThat(a.context.refusals).as("refusals while the peer listens").isEmpty();

        peerAway(b);
        long deadline = System.nanoTime() + deliveryTimeout().toNanos();
        for (int i = 0; a.context.refusals.isEmpty() && System.nanoTime() < deadline && i < 1000; i++) {
            try {
                a.send(frame(a.name, 200 + i, 100, random));
            } catch (IOException allowed) {
                // the peer is gone: a counted send error
            }
            Thread.sleep(20);
        }
        assertThat(a.context.refusals).as("refusals once the peer's port closed").isNotEmpty();
        assertThat(a.context.refusals).allSatisfy(r -> assertThat(r.endpoint())
                .as("a refused endpoint is one the peer's frames came from %s", sources).isIn(sources));
        assertHealthy(a);
    }

    /** A peer that stops reading (a frozen process) keeps its port: it is never reported refused. */
    @Test
    void aPeerThatStopsReadingIsNeverReportedRefused() throws Exception {
        List<Map<String, String>> p = connectedParameters(2);
        Endpoint b = openManual("nodeb", p.get(1));
        Endpoint a = open("nodea", p.get(0));
        assumeTrue(canRefuse(), "this medium cannot tell a closed port");
        Random random = new Random(13);
        for (int i = 0; i < 40; i++) {
            try {
                a.send(frame(a.name, i, 100, random));
            } catch (IOException allowed) {
                // a full buffer towards a peer that does not read
            }
            Thread.sleep(25);
        }
        assertThat(a.context.refusals).as("refusals from a peer that holds its port but does not read").isEmpty();
        assertHealthy(a);
        b.close();
    }

    @Test
    void sendingAndReceivingRunAtOnceFromTwoThreads() throws Exception {
        List<Endpoint> e = openConnected(2);
        Endpoint a = e.get(0);
        Endpoint b = e.get(1);
        CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
            Random r = new Random(11);
            try {
                for (int i = 0; i < 60; i++) {
                    b.send(frame(b.name, i, 200, r));
                    pace(200);
                }
            } catch (Exception ex) {
                throw new RuntimeException(ex);
            }
        });
        Random random = new Random(10);
        for (int i = 0; i < 60; i++) {
            long start = System.nanoTime();
            a.send(frame(a.name, i, 200, random));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("send() took").isLessThan(sendBound().toMillis());
            pace(200);
        }
        fromB.get(30, TimeUnit.SECONDS);
        await(deliveryTimeout(), () -> from(b, a.name).size() >= 60 && from(a, b.name).size() >= 60,
                () -> summary(a) + "; " + summary(b));
        assertHealthy(a, b);
    }
}
