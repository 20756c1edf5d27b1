package org.vigil.tck.heartbeat;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.vigil.api.ParameterDescription;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;

/**
 * A heartbeat medium in memory, for tests: endpoints named by an address exchange frames through it,
 * and the medium can drop, delay, duplicate and reorder frames and cut links, with every random
 * choice drawn from one seeded {@link Random} (the same seed and the same sends give the same faults).
 *
 * <p>Its transports (type {@value #TYPE}, from {@link #factory()}) follow the contract: they create no
 * threads; {@code receive} waits on the caller's thread for the next due frame; {@code send} never
 * blocks. Injected garbage is handed over as a frame, the way a datagram medium would.
 */
public final class InMemoryMedium {

    /** The path type of the in-memory transport. */
    public static final String TYPE = "memory";
    /** Parameter: this endpoint's address on the medium. */
    public static final String ADDRESS = "address";
    /** Parameter: comma-separated addresses of the peers. */
    public static final String PEERS = "peers";
    /** How long a frame held back for reordering waits for a later frame to overtake it. */
    static final long MAX_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Random random;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Station> stations = new HashMap<>();
    private final Set<String> cuts = new HashSet<>();
    private final int maxFrameSize;
    private double dropRate;
    private double duplicateRate;
    private double reorderRate;
    private long minDelayNanos;
    private long maxDelayNanos;
    private long order;

    /** Frames handed to the medium by senders (one per destination). */
    public final AtomicLong offered = new AtomicLong();
    /** Frames the medium dropped (loss, cut link, absent destination). */
    public final AtomicLong dropped = new AtomicLong();
    /** Extra copies the medium made. */
    public final AtomicLong duplicated = new AtomicLong();
    /** Frames held back so that a later one overtook them. */
    public final AtomicLong reordered = new AtomicLong();
    /** Frames handed to a receiver's context. */
    public final AtomicLong delivered = new AtomicLong();

    /** @param seed the seed of every fault decision */
    public InMemoryMedium(long seed) {
        this(seed, 65_000);
    }

    /**
     * @param seed         the seed of every fault decision
     * @param maxFrameSize the largest frame the medium carries
     */
    public InMemoryMedium(long seed, int maxFrameSize) {
        this.random = new Random(seed);
        this.maxFrameSize = maxFrameSize;
    }

    /** @param rate probability (0..1) that a frame is lost; @return this */
    public InMemoryMedium dropRate(double rate) {
        return set(() -> dropRate = check(rate));
    }

    /** @param rate probability (0..1) that a frame arrives twice; @return this */
    public InMemoryMedium duplicateRate(double rate) {
        return set(() -> duplicateRate = check(rate));
    }

    /** @param rate probability (0..1) that a frame is overtaken by the next one to the same node; @return this */
    public InMemoryMedium reorderRate(double rate) {
        return set(() -> reorderRate = check(rate));
    }

    /**
     * Every frame is delayed by a time drawn uniformly from the range (a range wider than the gap
     * between sends reorders frames too).
     *
     * @param minMillis shortest delay
     * @param maxMillis longest delay
     * @return this
     */
    public InMemoryMedium delay(long minMillis, long maxMillis) {
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("delay range " + minMillis + ".." + maxMillis);
        }
        return set(() -> {
            minDelayNanos = TimeUnit.MILLISECONDS.toNanos(minMillis);
            maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
        });
    }

    /** Turns every fault off and restores every cut link; @return this */
    public InMemoryMedium heal() {
        return set(() -> {
            dropRate = duplicateRate = reorderRate = 0;
            minDelayNanos = maxDelayNanos = 0;
            cuts.clear();
        });
    }

    /** Cuts the link between two addresses, both ways. */
    public void cut(String a, String b) {
        set(() -> {
            cuts.add(a + "\n" + b);
            cuts.add(b + "\n" + a);
        });
    }

    /** Restores the link between two addresses. */
    public void restore(String a, String b) {
        set(() -> {
            cuts.remove(a + "\n" + b);
            cuts.remove(b + "\n" + a);
        });
    }

    /**
     * Puts bytes on the medium towards an address as if a stranger had sent them.
     *
     * @param address the destination
     * @param bytes   anything
     * @return false when nobody listens at the address
     */
    public boolean inject(String address, byte[] bytes) {
        lock.lock();
        try {
            Station s = stations.get(address);
            if (s == null) {
                return false;
            }
            s.enqueue(new Pending(System.nanoTime(), order++, bytes.clone(), "stranger"));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return a factory for transports of type {@value #TYPE} on this medium */
    public HeartbeatTransportFactory factory() {
        return new Factory();
    }

    private InMemoryMedium set(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
        return this;
    }

    private static double check(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("a rate is from 0 to 1, not " + rate);
        }
        return rate;
    }

    private record Pending(long dueNanos, long order, byte[] data, String source) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(dueNanos, o.dueNanos);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** One registered address: its inbox. Guarded by the medium's lock. */
    private final class Station {
        final PriorityQueue<Pending> inbox = new PriorityQueue<>();
        final Condition arrived = lock.newCondition();
        Pending held;
        long heldSince;

        void enqueue(Pending p) {
            inbox.add(p);
            arrived.signalAll();
        }
    }

    private void transmit(String from, List<String> peers, byte[] frame) {
        lock.lock();
        try {
            long now = System.nanoTime();
            for (String to : peers) {
                offered.incrementAndGet();
                Station s = stations.get(to);
                if (s == null || cuts.contains(from + "\n" + to) || random.nextDouble() < dropRate) {
                    dropped.incrementAndGet();
                    continue;
                }
                int copies = random.nextDouble() < duplicateRate ? 2 : 1;
                if (copies == 2) {
                    duplicated.incrementAndGet();
                }
                for (int i = 0; i < copies; i++) {
                    long delay = minDelayNanos + (maxDelayNanos > minDelayNanos
                            ? (long) (random.nextDouble() * (maxDelayNanos - minDelayNanos)) : 0);
                    Pending p = new Pending(now + delay, order++, frame.clone(), from);
                    if (s.held == null && random.nextDouble() < reorderRate) {
                        s.held = p;
                        s.heldSince = now;
                        continue;
                    }
                    s.enqueue(p);
                    if (s.held != null) {
                        // The held frame goes after this one: it has been overtaken.
                        Pending h = s.held;
                        s.held = null;
                        reordered.incrementAndGet();
                        s.enqueue(new Pending(Math.max(h.dueNanos, p.dueNanos), order++, h.data, h.source));
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private final class Factory implements HeartbeatTransportFactory {
        @Override
        public TransportDescription describe() {
            return new TransportDescription(TYPE, "In-memory test medium with seeded loss, delay, duplication and reordering",
                    List.of(ParameterDescription.required(ADDRESS, "This endpoint's address on the medium, any word"),
                            ParameterDescription.optional(PEERS, "Comma-separated addresses every frame is sent to", "")));
        }

        @Override
        public List<String> validate(Map<String, String> parameters) {
            List<String> problems = new ArrayList<>();
            if (parameters == null || parameters.get(ADDRESS) == null || parameters.get(ADDRESS).isBlank()) {
                problems.add(ADDRESS + ": required");
                return problems;
            }
            for (String peer : peers(parameters)) {
                if (peer.equals(parameters.get(ADDRESS).strip())) {
                    problems.add(PEERS + ": '" + peer + "' is this endpoint's own address");
                }
            }
            return problems;
        }

        @Override
        public HeartbeatTransport open(PathContext context) throws IOException {
            List<String> problems = validate(context.parameters());
            if (!problems.isEmpty()) {
                context.localLinkState(false, String.join("; ", problems));
                throw new IOException("invalid parameters: " + String.join("; ", problems));
            }
            String address = context.parameters().get(ADDRESS).strip();
            lock.lock();
            try {
                if (stations.containsKey(address)) {
                    context.localLinkState(false, "address " + address + " is in use");
                    throw new IOException("address " + address + " is in use on the medium");
                }
                Station s = new Station();
                stations.put(address, s);
                context.localLinkState(true, "attached as " + address);
                return new Transport(context, address, List.copyOf(peers(context.parameters())), s);
            } finally {
                lock.unlock();
            }
        }

        private static List<String> peers(Map<String, String> parameters) {
            String text = parameters.get(PEERS);
            if (text == null || text.isBlank()) {
                return List.of();
            }
            Set<String> out = new LinkedHashSet<>();
            Arrays.stream(text.split(",")).map(String::strip).filter(p -> !p.isEmpty()).forEach(out::add);
            return List.copyOf(out);
        }
    }

    private final class Transport implements HeartbeatTransport {
        private final PathContext context;
        private final String address;
        private final List<String> peers;
        private final Station station;
        private volatile boolean closed;

        Transport(PathContext context, String address, List<String> peers, Station station) {
            this.context = context;
            this.address = address;
            this.peers = peers;
            this.station = station;
        }

        @Override
        public void send(byte[] frame) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (frame.length > maxFrameSize) {
                throw new IOException("frame of " + frame.length + " bytes is larger than the " + maxFrameSize
                        + " bytes the medium carries");
            }
            transmit(address, peers, frame);
        }

        @Override
        public void receive(int maxWaitMillis) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMillis));
            List<Pending> due = new ArrayList<>();
            lock.lock();
            try {
                while (!closed) {
                    long now = System.nanoTime();
                    if (station.held != null && now - station.heldSince >= MAX_HOLD_NANOS) {
                        station.inbox.add(station.held); // nothing overtook it: let it go
                        station.held = null;
                    }
                    while (!station.inbox.isEmpty() && station.inbox.peek().dueNanos <= now) {
                        due.add(station.inbox.poll());
                    }
                    if (!due.isEmpty() || now >= deadline) {
                        break;
                    }
                    long wake = deadline;
                    if (!station.inbox.isEmpty()) {
                        wake = Math.min(wake, station.inbox.peek().dueNanos);
                    }
                    if (station.held != null) {
                        wake = Math.min(wake, station.heldSince + MAX_HOLD_NANOS);
                    }
                    try {
                        station.arrived.awaitNanos(Math.max(1, wake - now));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while receiving");
                    }
                }
            } finally {
                lock.unlock();
            }
            // Outside the lock: the core's callback may send, and must not wait for the medium.
            for (Pending p : due) {
                delivered.incrementAndGet();
                context.frameReceived(p.data, 0, p.data.length, p.source);
            }
        }

        @Override
        public int maxFrameSize() {
            return maxFrameSize;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                if (stations.get(address) == station) {
                    stations.remove(address);
                }
                station.arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
