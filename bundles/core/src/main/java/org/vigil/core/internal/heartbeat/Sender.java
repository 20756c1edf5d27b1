package org.vigil.core.internal.heartbeat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.membership.Challenge;
import org.vigil.core.internal.membership.MembershipTracker;

/**
 * The sender thread ({@code vigil-heartbeat-tx[<node>]}): opens what paths can open, signs and sends this node's
 * report on every open path each interval (and at once when kicked), and drains the paths' outboxes a batch at a
 * time. It takes no lock shared with anything slow.
 */
final class Sender {

    private static final int OUTBOX_BATCH = 16;

    private final String node;
    private final long incarnation;
    private final FrameCodec codec;
    private final Challenge challenge;
    private final MembershipTracker members;
    private final Supplier<WireReport> report;
    private final LongSupplier clock;
    private final LongSupplier intervalMillis;
    private final PathLifecycle paths;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong longestSilence = new AtomicLong();
    private volatile long lastSent = Long.MIN_VALUE;
    private volatile boolean running;
    private volatile boolean kicked;
    private volatile Thread thread;

    Sender(String node, long incarnation, FrameCodec codec, Challenge challenge, MembershipTracker members,
            Supplier<WireReport> report, LongSupplier clock, LongSupplier intervalMillis, PathLifecycle paths) {
        this.node = node;
        this.incarnation = incarnation;
        this.codec = codec;
        this.challenge = challenge;
        this.members = members;
        this.report = report;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
        this.paths = paths;
    }

    void start() {
        running = true;
        Thread t = new Thread(this::loop, "vigil-heartbeat-tx[" + node + "]");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        thread = t;
        t.start();
    }

    void kick() {
        kicked = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        long next = clock.getAsLong();
        while (running) {
            long now = clock.getAsLong();
            if (challenge.senderRan(now, members.deadTimeMillis())) {
                HeartbeatIo.logPause(node);
            }
            paths.reconcileIfDue(now);
            if (kicked || now >= next) {
                kicked = false;
                sendHeartbeat(report.get());
                next = now + intervalMillis.getAsLong();
            }
            boolean more = false;
            for (HeartbeatPath p : paths.all()) {
                Outgoing o;
                // a document in many pieces goes a batch at a time, so heartbeats keep their pace on slow paths
                for (int n = 0; n < OUTBOX_BATCH && (o = p.outbox.poll()) != null; n++) {
                    p.send(sign(p, o.type(), o.payload()));
                }
                more |= !p.outbox.isEmpty();
            }
            long wait = more ? 1 : Math.max(1, next - clock.getAsLong());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
        }
    }

    private void sendHeartbeat(WireReport r) {
        Map<Integer, byte[]> byBudget = new HashMap<>(); // each path gets the report that fits its frames
        boolean sent = false;
        for (HeartbeatPath p : paths.all()) {
            HeartbeatTransport t = p.transport;
            if (t != null) {
                byte[] payload = byBudget.computeIfAbsent(payloadBudget(p, t), r::encode);
                sent |= p.send(sign(p, FrameType.HEARTBEAT, payload));
            }
        }
        if (sent) {
            long now = clock.getAsLong();
            long last = lastSent;
            if (last != Long.MIN_VALUE) {
                longestSilence.accumulateAndGet(now - last, Math::max);
            }
            lastSent = now;
        }
    }

    /** See {@link HeartbeatIo#takeLongestSilence}. */
    long takeLongestSilence(long now) {
        long s = longestSilence.getAndSet(0);
        long last = lastSent;
        return last == Long.MIN_VALUE ? 0 : Math.max(s, now - last);
    }

    /** @return the largest payload a frame of this path carries */
    int payloadBudget(HeartbeatPath p, HeartbeatTransport t) {
        int overhead = codec.encode(new Frame(FrameType.HEARTBEAT, node, p.config.name(), incarnation, 0, new byte[0],
                challenge.nonce(), challenge.echoes())).length; // the challenge and its echoes ride in every frame
        return t.maxFrameSize() - overhead;
    }

    private byte[] sign(HeartbeatPath p, FrameType type, byte[] payload) {
        long seq = sequence.incrementAndGet();
        members.acks().sent(seq, clock.getAsLong()); // before it leaves: an acknowledgement never predates the send
        return codec.encode(new Frame(type, node, p.config.name(), incarnation, seq, payload,
                challenge.nonce(), challenge.echoes(), members.acks().acks()));
    }
}
