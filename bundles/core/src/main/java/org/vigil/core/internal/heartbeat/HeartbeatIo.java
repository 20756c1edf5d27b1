package org.vigil.core.internal.heartbeat;

import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.ReplayGuard;
import org.vigil.core.internal.membership.Challenge;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.stats.LinkStats;

/**
 * Opens the configured heartbeat paths with the installed transports and moves frames: one sender thread signs and
 * sends this node's report on every open path each interval (and at once when the report changes); one receiver
 * thread per path hands what arrives to {@link InboundFrames} and carries out its outcome. Neither thread takes a
 * lock shared with anything slow, so a busy engine or a hung agent cannot delay a heartbeat.
 *
 * <p>The parts: {@link PathLifecycle} (paths and transports come and go), {@link Sender} (the sender thread),
 * {@link InboundFrames} (what a frame means, without threads or I/O), {@link DocumentProtocol} (the cluster document
 * over the paths), {@link HeartbeatPath} (one path, the context its transport reports to).
 */
public final class HeartbeatIo {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatIo.class);

    private final String node;
    private final MembershipTracker members;
    private final DocumentStore docs;
    private final LongSupplier clock;
    private final Runnable wake;
    private final Alerts alerts;
    private final LinkStats links = new LinkStats();
    private final DocumentProtocol documents;
    private final InboundFrames inbound;
    private final PathLifecycle paths;
    private final Sender sender;
    /** When the last authentic, fresh frame came from a peer that had not answered this incarnation's challenge. */
    private volatile long lastUnanswered = Long.MIN_VALUE;
    private volatile long intervalMillis;
    private volatile BiPredicate<String, String> fenceHandler;

    /**
     * @param node           this node
     * @param incarnation    this node's incarnation
     * @param codec          the frame codec with the cluster key
     * @param members        membership, fed by received heartbeats
     * @param docs           the document, offered to and served from
     * @param report         this node's latest report
     * @param clock          monotonic milliseconds
     * @param wake           wakes the engine when something arrived
     * @param alerts         where path events go
     * @param intervalMillis the heartbeat interval
     */
    public HeartbeatIo(String node, long incarnation, FrameCodec codec, MembershipTracker members, DocumentStore docs,
            Supplier<WireReport> report, LongSupplier clock, Runnable wake, Alerts alerts, long intervalMillis) {
        this.node = node;
        this.members = members;
        this.docs = docs;
        this.clock = clock;
        this.wake = wake;
        this.alerts = alerts;
        this.intervalMillis = intervalMillis;
        Challenge challenge = Challenge.random();
        this.documents = new DocumentProtocol(docs::current, alerts);
        this.inbound = new InboundFrames(node, codec, new ReplayGuard(), challenge, members, documents, links,
                WireReport::decode);
        this.paths = new PathLifecycle(node, alerts, clock, () -> {
            WireReport r = report.get();
            return r != null && r.report().anyActive();
        }, () -> fenceHandler, this::kick);
        this.sender = new Sender(node, incarnation, codec, challenge, members, report, clock, () -> this.intervalMillis,
                paths);
        members.refusals().canRefuse(paths::reportsRefusals);
    }

    /** @return why this node does not hold its peers' cluster document, or "" when it does */
    public String documentLag() {
        return documents.lag(clock.getAsLong());
    }

    /**
     * @param handler what a fence request arriving on a path does ({@code Engine.fenceRequested}): given the
     *                requesting node and the reason, it returns true once nothing runs here
     */
    public void setFenceHandler(BiPredicate<String, String> handler) {
        this.fenceHandler = handler;
    }

    /** @return when the first heartbeat path opened (monotonic ms), Long.MIN_VALUE while none has */
    public long listeningSince() {
        return paths.firstOpen();
    }

    /**
     * @return when the last authentic, fresh frame arrived from a peer that had not yet answered this incarnation's
     *         challenge (monotonic ms), Long.MIN_VALUE if none has: a peer is talking but does not count yet
     */
    public long lastUnansweredAt() {
        return lastUnanswered;
    }

    /** @param millis the heartbeat interval */
    public void setInterval(long millis) {
        this.intervalMillis = millis;
    }

    /** @param c a configured path */
    public void addPath(PathConfiguration c) {
        paths.add(new HeartbeatPath(c, this));
    }

    /** @param c a path configuration that was removed */
    public void removePath(PathConfiguration c) {
        paths.remove(c);
    }

    /** @param f a transport that appeared */
    public void addFactory(HeartbeatTransportFactory f) {
        paths.addFactory(f);
    }

    /** @param f a transport that is going away; its paths close */
    public void removeFactory(HeartbeatTransportFactory f) {
        paths.removeFactory(f);
    }

    /** @return the installed transports */
    public Map<String, TransportDescription> transports() {
        return paths.transports();
    }

    /** @return per peer and path: frames, missed heartbeats, acknowledgement delays */
    public LinkStats links() {
        return links;
    }

    /** @return every path's state, by name */
    public Map<String, PathStatus> status() {
        return paths.status();
    }

    /** Starts the sender thread. */
    public void start() {
        paths.start();
        sender.start();
    }

    /** Sends a heartbeat now rather than at the next interval (the report changed). */
    public void kick() {
        sender.kick();
    }

    /**
     * How long this node's heartbeats were silent at most since the last call: the longest time between two
     * heartbeats that went out on at least one path, or since the last one. A whole-process pause (SIGSTOP, a
     * VM pause, a GC) shows here; a stall of the engine thread alone does not, since the peers kept hearing
     * this node. Thread-safe.
     *
     * @param now the monotonic time
     * @return the longest silence (ms), 0 before the first heartbeat
     */
    public long takeLongestSilence(long now) {
        return sender.takeLongestSilence(now);
    }

    /** Pushes the current document to every peer at once (after a local change). */
    public void pushDocument() {
        for (HeartbeatPath p : paths.all()) {
            p.outbox.addAll(documentFrames(p));
        }
        kick();
    }

    /** Stops the sender and closes every path. */
    public void stop() {
        paths.halt();
        sender.stop();
        paths.closeAll();
    }

    // ---- what a path's transport hands in (receiver threads) ----

    /** @return true when the frame was a peer's, authenticated for this path and not stale (a duplicate counts) */
    boolean received(HeartbeatPath p, byte[] data, int offset, int length, String source) {
        long now = clock.getAsLong();
        InboundFrames.Outcome o = inbound.receive(p.config.name(), p.counters, data, offset, length, source, now,
                intervalMillis);
        if (o.paused()) {
            logPause(node); // this frame, and all that waited in the socket, were sent while we slept
        }
        switch (o.verdict()) {
            case MALFORMED, FORGED, WRONG_PATH -> p.logReject(o.detail());
            case UNREADABLE -> {
                p.logReject(o.detail());
                wake.run();
            }
            case ASKED -> {
                lastUnanswered = now;
                kick(); // our next heartbeat echoes its challenge
            }
            case UNANSWERED -> lastUnanswered = now;
            case ACCEPTED -> accepted(p, o);
            case OWN, DUPLICATE, STALE -> { }
        }
        return o.verdict().peers();
    }

    private void accepted(HeartbeatPath p, InboundFrames.Outcome o) {
        if (o.request() != null) {
            p.outbox.add(o.request());
        }
        if (o.documentWanted()) {
            p.outbox.addAll(documentFrames(p));
        }
        if (o.document() != null) {
            try {
                docs.offer(o.document(), o.frame().sender());
            } catch (RuntimeException e) {
                p.counters.malformed.incrementAndGet();
                p.logReject("the document from " + o.frame().sender() + " could not be taken: " + e.getMessage());
            }
        }
        wake.run();
        if (!p.outbox.isEmpty()) {
            kick(); // a document request or answer leaves now, not at the next interval; heartbeats never do
        }
    }

    /** @return the current document as frames that fit the path (in pieces when it is larger than one frame) */
    private List<Outgoing> documentFrames(HeartbeatPath p) {
        HeartbeatTransport t = p.transport;
        if (t == null) {
            return List.of();
        }
        List<Outgoing> pieces = documents.frames(sender.payloadBudget(p, t));
        if (pieces.isEmpty()) {
            p.logReject("the cluster document (version " + documents.version() + ") does not fit this path even "
                    + "in " + DocumentChunks.MAX_PIECES + " pieces; peers get it over the other paths");
        }
        return pieces;
    }

    static void logPause(String node) {
        LOG.warn("heartbeat sender of node {} had not run for more than the dead time (the process was paused):"
                + " new challenge; frames sent before it do not count", node);
    }

    String node() {
        return node;
    }

    long intervalMillis() {
        return intervalMillis;
    }

    long now() {
        return clock.getAsLong();
    }

    MembershipTracker members() {
        return members;
    }

    Alerts alerts() {
        return alerts;
    }

    boolean fenceRequested(String from, String reason) {
        BiPredicate<String, String> h = fenceHandler;
        if (h == null) {
            return false;
        }
        try {
            return h.test(from, reason);
        } catch (RuntimeException e) {
            LOG.error("fence request ({}) could not be handled", reason, e);
            return false;
        }
    }
}
