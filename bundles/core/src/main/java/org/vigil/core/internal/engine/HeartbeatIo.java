package org.vigil.core.internal.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.alert.Severity;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.frame.ReplayGuard;
import org.vigil.core.internal.membership.Challenge;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.PathCounters;
import org.vigil.core.internal.model.ClusterDocument;

/**
 * Opens the configured heartbeat paths with the installed transports and moves frames: one sender
 * thread signs and sends this node's report on every open path each interval (and at once when the
 * report changes); one receiver thread per path authenticates what arrives and feeds membership. Neither
 * thread takes a lock shared with anything slow, so a busy engine or a hung agent cannot delay a heartbeat.
 */
public final class HeartbeatIo {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatIo.class);
    private static final long RETRY_MILLIS = 2000;
    private static final long DOC_REQUEST_EVERY_MILLIS = 300;
    private static final long REJECT_LOG_EVERY_MILLIS = 10_000;
    private static final int OUTBOX_BATCH = 16;

    /**
     * One path's state for the status.
     *
     * @param name     the path
     * @param type     its transport kind
     * @param state    open, waiting for its transport, invalid, or failed
     * @param detail   why, when not open
     * @param counters what it received and rejected
     */
    public record PathStatus(String name, String type, String state, String detail, PathCounters counters) {
    }

    private record Outgoing(FrameType type, byte[] payload) {
    }

    private final class Path implements PathContext {
        final PathConfiguration config;
        final PathCounters counters = new PathCounters();
        /** Frames to send besides heartbeats; numbered and signed only when sent, so sequence numbers stay in order. */
        final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
        volatile HeartbeatTransport transport;
        volatile Thread receiver;
        volatile String state = "waiting";
        volatile String detail = "";
        volatile long retryAt;
        volatile Map<String, String> params = Map.of();
        volatile long lastRejectLog;

        Path(PathConfiguration config) {
            this.config = config;
        }

        @Override
        public String pathName() {
            return config.name();
        }

        @Override
        public String nodeName() {
            return node;
        }

        @Override
        public Map<String, String> parameters() {
            return params;
        }

        @Override
        public void frameReceived(byte[] data, int offset, int length, String source) {
            handle(this, data, offset, length, source);
        }

        @Override
        public boolean offerFrame(byte[] data, int offset, int length, String source) {
            return handle(this, data, offset, length, source);
        }

        @Override
        public long heartbeatIntervalMillis() {
            return intervalMillis;
        }

        @Override
        public void peerRefused(String endpoint, String how) {
            counters.refused.incrementAndGet();
            if (members.refusals().refused(config.name(), endpoint, clock.getAsLong()) == null) {
                logReject(this, endpoint + " refused a frame (" + how + "), and no node was heard from there");
            }
        }

        @Override
        public void garbageDiscarded(String reason) {
            counters.garbage.incrementAndGet();
            logReject(this, "garbage discarded: " + reason);
        }

        @Override
        public boolean fenceRequested(String from, String reason) {
            java.util.function.BiPredicate<String, String> h = fenceHandler;
            if (h == null) {
                return false;
            }
            try {
                return h.test(from, "heartbeat path " + config.name() + ": " + reason);
            } catch (RuntimeException e) {
                LOG.error("fence request on path {} could not be handled", config.name(), e);
                return false;
            }
        }

        @Override
        public void localLinkState(boolean up, String reason) {
            String was = state;
            if (transport != null) {
                state = up ? "open" : "link-down";
                detail = up ? "" : reason;
                if (!state.equals(was)) {
                    alerts.raise(up ? Severity.INFO : Severity.WARNING, up ? "path-up" : "path-down", config.name(),
                            "heartbeat path " + config.name() + (up ? " is up" : " is down: " + reason));
                }
            }
        }
    }

    private final String node;
    private final long incarnation;
    private final FrameCodec codec;
    private final ReplayGuard replay = new ReplayGuard();
    private final Challenge challenge = Challenge.random();
    private volatile long firstOpen = Long.MIN_VALUE;
    /** When the last authentic, fresh frame came from a peer that had not answered this incarnation's challenge. */
    private volatile long lastUnanswered = Long.MIN_VALUE;
    private final MembershipTracker members;
    private final DocumentStore docs;
    private final Supplier<WireReport> report;
    private volatile long lastSent = Long.MIN_VALUE;
    private final java.util.concurrent.atomic.AtomicLong longestSilence = new java.util.concurrent.atomic.AtomicLong();
    private final LongSupplier clock;
    private final Runnable wake;
    private final Alerts alerts;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Path> paths = new ConcurrentHashMap<>();
    private final Map<String, HeartbeatTransportFactory> factories = new ConcurrentHashMap<>();
    private final Map<String, Long> lastDocRequest = new ConcurrentHashMap<>();
    private final DocumentChunks chunks = new DocumentChunks();
    private final org.vigil.core.internal.stats.LinkStats links = new org.vigil.core.internal.stats.LinkStats();
    private final PartialReports partials = new PartialReports();
    private final DocumentLag lag;
    private volatile long intervalMillis;
    private volatile java.util.function.BiPredicate<String, String> fenceHandler;
    private volatile boolean running;
    private volatile Thread sender;
    private volatile boolean kicked;
    private volatile boolean dirty = true;

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
        this.incarnation = incarnation;
        this.codec = codec;
        this.members = members;
        this.docs = docs;
        this.report = report;
        this.clock = clock;
        this.wake = wake;
        this.alerts = alerts;
        this.intervalMillis = intervalMillis;
        this.lag = new DocumentLag(alerts);
        members.refusals().canRefuse(this::reportsRefusals);
    }

    /** @return true when the path is open and its transport reports refused peers (a 1.2 transport does not) */
    private boolean reportsRefusals(String path) {
        for (Path p : paths.values()) {
            HeartbeatTransport t = p.transport;
            try {
                if (p.config.name().equals(path) && t != null && t.reportsRefusals()) {
                    return true;
                }
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }
        return false;
    }

    /** @return why this node does not hold its peers' cluster document, or "" when it does */
    public String documentLag() {
        return lag.status(clock.getAsLong());
    }

    /**
     * @param handler what a fence request arriving on a path does ({@link Engine#fenceRequested}): given the
     *                requesting node and the reason, it returns true once nothing runs here
     */
    public void setFenceHandler(java.util.function.BiPredicate<String, String> handler) {
        this.fenceHandler = handler;
    }

    /** @return when the first heartbeat path opened (monotonic ms), Long.MIN_VALUE while none has */
    public long listeningSince() {
        return firstOpen;
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

    // ---- configuration and transports come and go ----

    /** @param c a configured path */
    public void addPath(PathConfiguration c) {
        Path p = new Path(c);
        Path current = paths.get(key(c));
        if (current != null && current.transport != null) {
            // a changed configuration closes the open path first; if the new one cannot open (an invalid bind) and
            // this was the last open path, the port would close while resources run: a live node looking gone
            quietBeforeClosing(java.util.List.of(current));
        }
        Path old = paths.put(key(c), p);
        if (old != null) {
            close(old);
        }
        dirty = true;
        kick();
    }

    /** @param c a path configuration that was removed */
    public void removePath(PathConfiguration c) {
        Path p = paths.get(key(c));
        if (p != null) {
            quietBeforeClosing(java.util.List.of(p));
        }
        p = paths.remove(key(c));
        if (p != null) {
            close(p);
        }
    }

    /** Before the last open paths close while resources run: see {@link LastPortGuard}. */
    private void quietBeforeClosing(java.util.List<Path> closing) {
        boolean canRefuse = closing.stream().anyMatch(p -> reportsRefusals(p.config.name()));
        boolean othersOpen = paths.values().stream().anyMatch(p -> !closing.contains(p) && p.transport != null);
        LastPortGuard.quietFirst(node, String.join(", ", closing.stream().map(p -> p.config.name()).toList()), canRefuse,
                othersOpen, () -> {
                    WireReport r = report.get();
                    return r != null && r.report().anyActive();
                }, fenceHandler, clock, LastPortGuard.WAIT_MILLIS);
    }

    private static String key(PathConfiguration c) {
        return c.pid();
    }

    /** @param f a transport that appeared */
    public void addFactory(HeartbeatTransportFactory f) {
        TransportDescription d = describe(f);
        if (d != null) {
            factories.put(d.type(), f);
            dirty = true;
            kick();
        }
    }

    /** @param f a transport that is going away; its paths close */
    public void removeFactory(HeartbeatTransportFactory f) {
        factories.entrySet().removeIf(e -> e.getValue() == f);
        quietBeforeClosing(paths.values().stream()
                .filter(p -> !factories.containsKey(p.config.type()) && p.transport != null).toList());
        for (Path p : paths.values()) {
            if (!factories.containsKey(p.config.type()) && p.transport != null) {
                close(p);
                p.state = "waiting";
                p.detail = "transport '" + p.config.type() + "' is not installed (feature vigil-heartbeat-"
                        + p.config.type() + ")";
                alerts.raise(Severity.WARNING, "path-down", p.config.name(), "heartbeat path " + p.config.name()
                        + " closed: its transport was removed");
            }
        }
    }

    /** @return the installed transports */
    public Map<String, TransportDescription> transports() {
        Map<String, TransportDescription> out = new TreeMap<>();
        factories.forEach((k, f) -> {
            TransportDescription d = describe(f);
            if (d != null) {
                out.put(k, d);
            }
        });
        return out;
    }

    private static TransportDescription describe(HeartbeatTransportFactory f) {
        try {
            return f.describe();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("heartbeat transport {} cannot describe itself and is ignored: {}", f.getClass().getName(), e.toString());
            return null;
        }
    }

    /** @return per peer and path: frames, missed heartbeats, acknowledgement delays */
    public org.vigil.core.internal.stats.LinkStats links() {
        return links;
    }

    /** @return every path's state, by name */
    public Map<String, PathStatus> status() {
        Map<String, PathStatus> out = new TreeMap<>();
        for (Path p : paths.values()) {
            String name = p.config.name().isEmpty() ? p.config.pid() : p.config.name();
            out.put(name, new PathStatus(name, p.config.type(), p.state, p.detail, p.counters));
        }
        return out;
    }

    // ---- sender ----

    /** Starts the sender thread. */
    public void start() {
        running = true;
        Thread t = new Thread(this::sendLoop, "vigil-heartbeat-tx[" + node + "]");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        sender = t;
        t.start();
    }

    /** Sends a heartbeat now rather than at the next interval (the report changed). */
    public void kick() {
        kicked = true;
        Thread t = sender;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void sendLoop() {
        long next = clock.getAsLong();
        long lastRetry = 0;
        while (running) {
            long now = clock.getAsLong();
            if (challenge.senderRan(now, members.deadTimeMillis())) {
                logPause();
            }
            if (dirty || now - lastRetry >= RETRY_MILLIS) {
                dirty = false;
                lastRetry = now;
                try {
                    reconcile(now);
                } catch (RuntimeException e) {
                    LOG.error("opening heartbeat paths failed", e);
                }
            }
            if (kicked || now >= next) {
                kicked = false;
                sendHeartbeat(report.get());
                next = now + intervalMillis;
            }
            boolean more = false;
            for (Path p : paths.values()) {
                Outgoing o;
                // a document in many pieces goes a batch at a time, so heartbeats keep their pace on slow paths
                for (int n = 0; n < OUTBOX_BATCH && (o = p.outbox.poll()) != null; n++) {
                    send(p, sign(p, o.type(), o.payload()));
                }
                more |= !p.outbox.isEmpty();
            }
            long wait = more ? 1 : Math.max(1, next - clock.getAsLong());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
        }
    }

    private void sendHeartbeat(WireReport r) {
        Map<Integer, byte[]> byBudget = new java.util.HashMap<>(); // each path gets the report that fits its frames
        boolean sent = false;
        for (Path p : paths.values()) {
            HeartbeatTransport t = p.transport;
            if (t != null) {
                byte[] payload = byBudget.computeIfAbsent(payloadBudget(p, t), r::encode);
                sent |= send(p, sign(p, FrameType.HEARTBEAT, payload));
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
        long s = longestSilence.getAndSet(0);
        long last = lastSent;
        return last == Long.MIN_VALUE ? 0 : Math.max(s, now - last);
    }

    /** @return the largest payload a frame of this path carries */
    private int payloadBudget(Path p, HeartbeatTransport t) {
        int overhead = codec.encode(new Frame(FrameType.HEARTBEAT, node, p.config.name(), incarnation, 0, new byte[0],
                challenge.nonce(), challenge.echoes())).length; // the challenge and its echoes ride in every frame
        return t.maxFrameSize() - overhead;
    }

    private byte[] sign(Path p, FrameType type, byte[] payload) {
        long seq = sequence.incrementAndGet();
        members.acks().sent(seq, clock.getAsLong()); // before it leaves: an acknowledgement never predates the send
        return codec.encode(new Frame(type, node, p.config.name(), incarnation, seq, payload,
                challenge.nonce(), challenge.echoes(), members.acks().acks()));
    }

    private boolean send(Path p, byte[] frame) {
        HeartbeatTransport t = p.transport;
        if (t == null) {
            return false;
        }
        try {
            if (frame.length > t.maxFrameSize()) {
                p.counters.sendErrors.incrementAndGet();
                logReject(p, "frame of " + frame.length + " bytes exceeds the path's limit of " + t.maxFrameSize());
                return false;
            }
            t.send(frame);
            p.counters.sent.incrementAndGet();
            return true;
        } catch (IOException | RuntimeException e) {
            p.counters.sendErrors.incrementAndGet();
            logReject(p, "send failed: " + e.getMessage());
            return false;
        }
    }

    private synchronized void reconcile(long now) {
        for (Path p : paths.values()) {
            if (p.transport != null || now < p.retryAt || !running) {
                continue;
            }
            PathConfiguration c = p.config;
            List<String> problems = new ArrayList<>();
            if (c.name().isEmpty()) {
                problems.add("name: missing (configuration " + c.pid() + ")");
            } else if (!org.vigil.core.internal.model.Names.isValid(c.name())) {
                problems.add("name: '" + c.name() + "' is not a valid path name");
            }
            if (c.type().isEmpty()) {
                problems.add("type: missing (one of " + factories.keySet() + ")");
            }
            HeartbeatTransportFactory f = factories.get(c.type());
            if (problems.isEmpty() && f == null) {
                p.state = "waiting";
                p.detail = "transport '" + c.type() + "' is not installed (feature vigil-heartbeat-" + c.type() + ")";
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            if (f != null) {
                TransportDescription d = describe(f);
                if (d == null) {
                    continue;
                }
                for (ParameterDescription pd : d.parameters()) {
                    if (pd.defaultValue() != null) {
                        params.put(pd.name(), pd.defaultValue());
                    }
                }
                for (String k : c.params().keySet()) {
                    if (d.parameters().stream().noneMatch(pd -> pd.name().equals(k))) {
                        problems.add(k + ": not a parameter of transport " + c.type());
                    }
                }
                params.putAll(c.params());
                try {
                    problems.addAll(f.validate(params));
                } catch (RuntimeException e) {
                    problems.add("the transport failed to validate: " + e);
                }
            }
            if (!problems.isEmpty()) {
                String msg = String.join("; ", problems);
                if (!"invalid".equals(p.state) || !msg.equals(p.detail)) {
                    alerts.raise(Severity.WARNING, "path-invalid", c.name().isEmpty() ? c.pid() : c.name(),
                            "heartbeat path " + c.pid() + " is not valid: " + msg);
                }
                p.state = "invalid";
                p.detail = msg;
                p.retryAt = Long.MAX_VALUE; // until the configuration changes
                continue;
            }
            p.params = Map.copyOf(params);
            try {
                HeartbeatTransport t = f.open(p);
                p.transport = t;
                if (firstOpen == Long.MIN_VALUE) {
                    firstOpen = now;
                }
                p.state = "open";
                p.detail = "";
                Thread rx = new Thread(() -> receiveLoop(p, t), "vigil-heartbeat-rx[" + node + "/" + c.name() + "]");
                rx.setDaemon(true);
                rx.setPriority(Thread.MAX_PRIORITY);
                p.receiver = rx;
                rx.start();
                LOG.info("heartbeat path {} ({}) is open", c.name(), c.type());
            } catch (IOException | RuntimeException e) {
                p.state = "failed";
                p.detail = String.valueOf(e.getMessage());
                p.retryAt = now + RETRY_MILLIS;
                logReject(p, "cannot open: " + e.getMessage() + "; retrying every " + RETRY_MILLIS / 1000 + " s");
            }
        }
    }

    private void receiveLoop(Path p, HeartbeatTransport t) {
        while (running && p.transport == t) {
            try {
                t.receive(200);
            } catch (IOException | RuntimeException e) {
                if (!running || p.transport != t) {
                    return;
                }
                logReject(p, "receive failed: " + e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    // ---- receiving ----

    /** @return true when the frame was a peer's, authenticated for this path and not stale (a duplicate counts) */
    private boolean handle(Path p, byte[] data, int offset, int length, String source) {
        FrameCodec.Decoded d = codec.decode(data, offset, length);
        if (d.frame() == null) {
            (d.rejection() == FrameCodec.Rejection.BAD_MAC ? p.counters.forged : p.counters.malformed).incrementAndGet();
            logReject(p, "rejected a frame from " + source + ": " + d.detail());
            return false;
        }
        Frame f = d.frame();
        if (f.sender().equals(node)) {
            return false; // our own, looped back (multicast)
        }
        if (!f.path().equals(p.config.name())) {
            p.counters.wrongPath.incrementAndGet();
            logReject(p, "a frame from " + f.sender() + " was built for path '" + f.path()
                    + "' (check that every node names this network '" + p.config.name() + "')");
            return false;
        }
        switch (replay.check(f)) {
            case DUPLICATE -> {
                p.counters.duplicates.incrementAndGet();
                return true; // the peer's current frame, over a second connection
            }
            case STALE -> {
                p.counters.replayed.incrementAndGet();
                return false;
            }
            case FRESH -> members.refusals().heard(p.config.name(), source, f.sender()); // alive: refusals are stale
        }
        if (challenge.renewAfterPause(clock.getAsLong(), members.deadTimeMillis())) {
            logPause(); // this frame, and all that waited in the socket, were sent while we slept
        }
        members.acks().seen(f.sender(), f.incarnation());
        switch (challenge.admit(f, node)) { // only a peer that answered this incarnation's challenge counts
            case ANSWERED -> { }
            case ASKED -> {
                p.counters.unanswered.incrementAndGet();
                lastUnanswered = clock.getAsLong();
                kick(); // our next heartbeat echoes its challenge
                return true; // authentic and fresh: a stream's connection is a peer's, even before it answered
            }
            case UNANSWERED -> {
                p.counters.unanswered.incrementAndGet();
                lastUnanswered = clock.getAsLong();
                return true;
            }
        }
        p.counters.accepted.incrementAndGet();
        long now = clock.getAsLong();
        members.heard(f.sender(), f.incarnation(), p.config.name(), now);
        members.acks().counted(f.sender(), f.incarnation(), f.sequence(), f.ackFor(node));
        links.arrived(f.sender(), p.config.name(), now, intervalMillis, f.ackFor(node), members.acks().sentAt(f.ackFor(node)));
        try {
            switch (f.type()) {
                case HEARTBEAT -> onHeartbeat(p, f, now);
                case DOCUMENT_REQUEST -> p.outbox.addAll(documentFrames(p));
                case DOCUMENT -> {
                    ClusterDocument doc = chunks.accept(f.sender() + "/" + p.config.name(), f.payload()); // pieces differ per path
                    if (doc != null) {
                        docs.offer(doc, f.sender());
                    }
                }
            }
        } catch (RuntimeException e) {
            p.counters.malformed.incrementAndGet();
            logReject(p, "an authenticated " + f.type() + " from " + f.sender() + " could not be read: " + e.getMessage());
        }
        wake.run();
        if (!p.outbox.isEmpty()) {
            kick(); // a document request or answer leaves now, not at the next interval; heartbeats never do
        }
        return true;
    }

    private void onHeartbeat(Path p, Frame f, long now) {
        WireReport r = WireReport.decode(f.payload());
        if (r.complete()) {
            partials.complete(f.sender(), f.incarnation(), r.report(), now);
            members.report(f.sender(), f.incarnation(), r.report());
        } else { // its groups did not fit this path: the last complete report stands while it is recent
            var stale = partials.partial(f.sender(), f.incarnation(), r.report(), now, 3 * intervalMillis);
            if (stale != null) {
                members.report(f.sender(), f.incarnation(), stale);
            }
        }
        if (r.leaving()) {
            members.leaving(f.sender(), f.incarnation());
        }
        ClusterDocument mine = docs.current();
        lag.heard(f.sender(), r.report().documentVersion(), mine.version(), now);
        boolean newer = r.report().documentVersion() > mine.version()
                || (r.report().documentVersion() == mine.version() && !r.documentDigest().equals(mine.digest()));
        if (newer) {
            Long last = lastDocRequest.get(f.sender());
            if (last == null || now - last >= DOC_REQUEST_EVERY_MILLIS) {
                lastDocRequest.put(f.sender(), now);
                p.outbox.add(new Outgoing(FrameType.DOCUMENT_REQUEST,
                        Long.toString(mine.version()).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** @return the current document as frames that fit the path (in pieces when it is larger than one frame) */
    private List<Outgoing> documentFrames(Path p) {
        HeartbeatTransport t = p.transport;
        if (t == null) {
            return List.of();
        }
        List<byte[]> pieces = DocumentChunks.split(docs.current(), payloadBudget(p, t));
        if (pieces.isEmpty()) {
            logReject(p, "the cluster document (version " + docs.current().version() + ") does not fit this path even "
                    + "in " + DocumentChunks.MAX_PIECES + " pieces; peers get it over the other paths");
        }
        return pieces.stream().map(b -> new Outgoing(FrameType.DOCUMENT, b)).toList();
    }

    /** Pushes the current document to every peer at once (after a local change). */
    public void pushDocument() {
        for (Path p : paths.values()) {
            p.outbox.addAll(documentFrames(p));
        }
        kick();
    }

    private void logPause() {
        LOG.warn("heartbeat sender of node {} had not run for more than the dead time (the process was paused):"
                + " new challenge; frames sent before it do not count", node);
    }

    private void logReject(Path p, String what) {
        long now = clock.getAsLong();
        if (now - p.lastRejectLog >= REJECT_LOG_EVERY_MILLIS) {
            p.lastRejectLog = now;
            LOG.warn("heartbeat path {}: {} (counters: {}; repeats within {} s are counted, not logged)",
                    p.config.name(), what, p.counters.summary(), REJECT_LOG_EVERY_MILLIS / 1000);
        }
    }

    // ---- shutdown ----

    private void close(Path p) {
        HeartbeatTransport t = p.transport;
        p.transport = null;
        if (t != null) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.warn("closing heartbeat path {} failed: {}", p.config.name(), e.toString());
            }
        }
        Thread rx = p.receiver;
        if (rx != null) {
            try {
                rx.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the sender and closes every path. */
    public void stop() {
        running = false;
        Thread t = sender;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        paths.values().forEach(this::close);
    }
}
