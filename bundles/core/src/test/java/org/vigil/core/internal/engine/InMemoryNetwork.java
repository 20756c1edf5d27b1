package org.vigil.core.internal.engine;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;

/** A heartbeat medium in memory whose links can be cut per node, for in-process cluster tests. */
public final class InMemoryNetwork {

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<String> cut = ConcurrentHashMap.newKeySet();
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();
    /** Nodes whose Vigil process is gone, their machine up: what is sent to them is refused. */
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    /** Whether endpoints report refusals (as udp and tcp paths do); off, the medium is a serial line. */
    volatile boolean refusing;
    private final Set<String> muted = ConcurrentHashMap.newKeySet();
    private final Map<String, List<byte[]>> taps = new ConcurrentHashMap<>();
    /** The frame limit every endpoint announces (a UDP path's by default; a serial or disk path's is far smaller). */
    volatile int maxFrame = 65000;

    final class Endpoint implements HeartbeatTransport {
        final String node;
        final PathContext ctx;
        final LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        volatile boolean closed;

        Endpoint(String node, PathContext ctx) {
            this.node = node;
            this.ctx = ctx;
        }

        @Override
        public void send(byte[] frame) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            if (frozen.contains(node)) {
                throw new IOException(node + " is frozen: nothing leaves it");
            }
            List<byte[]> tap = taps.get(node);
            if (tap != null) {
                tap.add(frame.clone());
            }
            if (cut.contains(node) || muted.contains(node)) {
                return;
            }
            if (frame.length > maxFrame) {
                throw new IOException("frame of " + frame.length + " bytes exceeds the medium's " + maxFrame);
            }
            for (String g : gone) {
                if (!g.equals(node) && !cut.contains(g) && refusing) {
                    ctx.peerRefused(source(g), "port unreachable");
                }
            }
            for (Endpoint e : endpoints.values()) {
                if (e != this && !gone.contains(e.node) && !cut.contains(e.node) && !frozen.contains(e.node)) {
                    e.inbox.add(new Delivery(frame.clone(), source(node)));
                }
            }
        }

        @Override
        public void receive(int maxWaitMillis) throws IOException {
            try {
                Delivery d = inbox.poll(maxWaitMillis, TimeUnit.MILLISECONDS);
                if (d != null) {
                    ctx.frameReceived(d.frame(), 0, d.frame().length, d.source());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean reportsRefusals() {
            return refusing;
        }

        @Override
        public int maxFrameSize() {
            return maxFrame;
        }

        @Override
        public void close() {
            closed = true;
            if (endpoints.remove(node, this) && refusing) {
                gone.add(node); // its port is closed, its machine up: what is sent to it is refused
            }
        }
    }

    private record Delivery(byte[] frame, String source) {
    }

    /** @return the address a node's frames come from, which its refusals name */
    static String source(String node) {
        return "mem:" + node;
    }

    /**
     * The node's Vigil process dies, its machine stays up: nothing leaves it any more and, on a refusing medium,
     * every frame sent to it is refused.
     */
    void kill(String node) {
        gone.add(node);
        frozen.add(node);
    }

    void cut(String node) {
        cut.add(node);
    }

    /** One way: what {@code node} sends reaches no one; it still receives. */
    void mute(String node) {
        muted.add(node);
    }

    void unmute(String node) {
        muted.remove(node);
    }

    void heal(String node) {
        cut.remove(node);
    }

    /** @return the path context the core gave the node's transport (to play a transport's callbacks) */
    PathContext context(String node) {
        return endpoints.get(node).ctx;
    }

    /** The node's process is stopped (as by SIGSTOP): its sends fail, nothing reaches the others. */
    void freeze(String node) {
        frozen.add(node);
    }

    void thaw(String node) {
        frozen.remove(node);
    }

    /** @return a live list that from now on receives a copy of every frame {@code node} sends (a wire recorder) */
    List<byte[]> record(String node) {
        return taps.computeIfAbsent(node, n -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()));
    }

    /** Stops recording what {@code node} sends. */
    void stopRecording(String node) {
        taps.remove(node);
    }

    public void inject(String node, byte[] garbage) {
        // A node just started opens its path on its own thread: wait (bounded) for its endpoint.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!endpoints.containsKey(node) && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        Endpoint e = endpoints.get(node);
        if (e == null) {
            throw new IllegalStateException(node + " has no open endpoint on the medium after 5 s");
        }
        e.inbox.add(new Delivery(garbage, "mem:stranger"));
    }

    public HeartbeatTransportFactory factory() {
        return new HeartbeatTransportFactory() {
            @Override
            public TransportDescription describe() {
                return new TransportDescription("mem", "in-memory test medium", List.of());
            }

            @Override
            public List<String> validate(Map<String, String> parameters) {
                return List.of();
            }

            @Override
            public HeartbeatTransport open(PathContext context) {
                Endpoint e = new Endpoint(context.nodeName(), context);
                gone.remove(context.nodeName());
                endpoints.put(context.nodeName(), e);
                return e;
            }
        };
    }
}
