package org.vigil.core.internal.heartbeat;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.Severity;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.membership.PathCounters;

/**
 * One configured heartbeat path: its transport while open, its state, its counters and its outbox; the context its
 * transport reports to. What a transport hands in goes to {@link HeartbeatIo}.
 */
final class HeartbeatPath implements PathContext {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPath.class);
    private static final long REJECT_LOG_EVERY_MILLIS = 10_000;

    final PathConfiguration config;
    final PathCounters counters = new PathCounters();
    /** Frames to send besides heartbeats; numbered and signed only when sent, so sequence numbers stay in order. */
    final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    volatile HeartbeatTransport transport;
    volatile Thread receiver;
    volatile PathState state = PathState.WAITING;
    volatile String detail = "";
    volatile long retryAt;
    volatile Map<String, String> params = Map.of();
    private volatile long lastRejectLog;
    private final HeartbeatIo io;

    HeartbeatPath(PathConfiguration config, HeartbeatIo io) {
        this.config = config;
        this.io = io;
    }

    /** @return the path's name, or its configuration's pid while it has none */
    String label() {
        return config.name().isEmpty() ? config.pid() : config.name();
    }

    @Override
    public String pathName() {
        return config.name();
    }

    @Override
    public String nodeName() {
        return io.node();
    }

    @Override
    public Map<String, String> parameters() {
        return params;
    }

    @Override
    public void frameReceived(byte[] data, int offset, int length, String source) {
        io.received(this, data, offset, length, source);
    }

    @Override
    public boolean offerFrame(byte[] data, int offset, int length, String source) {
        return io.received(this, data, offset, length, source);
    }

    @Override
    public long heartbeatIntervalMillis() {
        return io.intervalMillis();
    }

    @Override
    public void peerRefused(String endpoint, String how) {
        counters.refused.incrementAndGet();
        if (io.members().refusals().refused(config.name(), endpoint, io.now()) == null) {
            logReject(endpoint + " refused a frame (" + how + "), and no node was heard from there");
        }
    }

    @Override
    public void garbageDiscarded(String reason) {
        counters.garbage.incrementAndGet();
        logReject("garbage discarded: " + reason);
    }

    @Override
    public boolean fenceRequested(String from, String reason) {
        return io.fenceRequested(from, "heartbeat path " + config.name() + ": " + reason);
    }

    @Override
    public void localLinkState(boolean up, String reason) {
        PathState was = state;
        if (transport != null) {
            state = up ? PathState.OPEN : PathState.LINK_DOWN;
            detail = up ? "" : reason;
            if (state != was) {
                io.alerts().raise(up ? Severity.INFO : Severity.WARNING, up ? "path-up" : "path-down", config.name(),
                        "heartbeat path " + config.name() + (up ? " is up" : " is down: " + reason));
            }
        }
    }

    /** @return true when the frame went out */
    boolean send(byte[] frame) {
        HeartbeatTransport t = transport;
        if (t == null) {
            return false;
        }
        try {
            if (frame.length > t.maxFrameSize()) {
                counters.sendErrors.incrementAndGet();
                logReject("frame of " + frame.length + " bytes exceeds the path's limit of " + t.maxFrameSize());
                return false;
            }
            t.send(frame);
            counters.sent.incrementAndGet();
            return true;
        } catch (IOException | RuntimeException e) {
            counters.sendErrors.incrementAndGet();
            logReject("send failed: " + e.getMessage());
            return false;
        }
    }

    /** @return true when the path is open and its transport reports refused peers (a 1.2 transport does not) */
    boolean reportsRefusals() {
        HeartbeatTransport t = transport;
        try {
            return t != null && t.reportsRefusals();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Logs a problem of this path once per {@value #REJECT_LOG_EVERY_MILLIS} ms; the counters count the rest. */
    void logReject(String what) {
        long now = io.now();
        if (now - lastRejectLog >= REJECT_LOG_EVERY_MILLIS) {
            lastRejectLog = now;
            LOG.warn("heartbeat path {}: {} (counters: {}; repeats within {} s are counted, not logged)",
                    config.name(), what, counters.summary(), REJECT_LOG_EVERY_MILLIS / 1000);
        }
    }

    /** Closes the transport and waits a moment for the receiver to end. */
    void close() {
        HeartbeatTransport t = transport;
        transport = null;
        if (t != null) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.warn("closing heartbeat path {} failed: {}", config.name(), e.toString());
            }
        }
        Thread rx = receiver;
        if (rx != null) {
            try {
                rx.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
