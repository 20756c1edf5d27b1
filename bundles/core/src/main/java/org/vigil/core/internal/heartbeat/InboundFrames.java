package org.vigil.core.internal.heartbeat;

import java.util.function.Function;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.ReplayGuard;
import org.vigil.core.internal.membership.Challenge;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.PathCounters;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.stats.LinkStats;

/**
 * What a node does with a frame that arrived on a heartbeat path: the bytes, the path, the instant in; the verdict
 * and what follows from it out. In order: authentication (the cluster key), this node's own frames looped back, the
 * path the frame was built for, the replay window, a pause of this process (a new challenge: what waited in the
 * socket does not count), the challenge of this incarnation (only a peer that echoed it counts), then membership,
 * acknowledgements and link statistics, the sender's report and its announced document, document requests and pieces.
 *
 * <p>No threads, no I/O and no clock: the caller passes the instant, sends the replies, offers the document, wakes the
 * engine and logs. The real node ({@link HeartbeatIo}, one receiver thread per path) and the deterministic simulation
 * run this same class. Thread-safe as far as its collaborators are (they are: receivers of several paths share it).
 */
public final class InboundFrames {

    /** What became of a frame. */
    public enum Verdict {
        /** Not a frame (truncated, wrong version, garbage). */
        MALFORMED(false),
        /** Signed with another key. */
        FORGED(false),
        /** This node's own frame, looped back (multicast). */
        OWN(false),
        /** Built for another path: the nodes name this network differently. */
        WRONG_PATH(false),
        /** The peer's current frame again, over a second connection or a second copy. */
        DUPLICATE(true),
        /** Older than what was accepted from that peer (a recording) or of an earlier life. */
        STALE(false),
        /** Authentic and fresh, from a peer that has not answered this incarnation's challenge yet. */
        UNANSWERED(true),
        /** As UNANSWERED, and the peer asks a challenge this node has not echoed yet: send a heartbeat now. */
        ASKED(true),
        /** Counted: membership heard the peer. */
        ACCEPTED(true),
        /** Counted, but its payload could not be read. */
        UNREADABLE(true);

        private final boolean peers;

        Verdict(boolean peers) {
            this.peers = peers;
        }

        /**
         * @return true when the frame was a peer's, authenticated for this path and not stale (a duplicate counts):
         *         what a transport that asks (a stream keeping a connection) is answered
         */
        public boolean peers() {
            return peers;
        }
    }

    /**
     * What follows from one frame.
     *
     * @param verdict        what became of it
     * @param frame          the frame, null when it could not be authenticated
     * @param detail         why it was rejected, for the log; "" otherwise
     * @param paused         this process had been paused for longer than the dead time: the challenge was renewed
     * @param report         the sender's report when it was a counted heartbeat, else null
     * @param document       a peer's whole document to offer to the store, else null
     * @param request        a document request to send back on the same path, else null
     * @param documentWanted the peer asked for this node's document: send it on the same path
     */
    public record Outcome(Verdict verdict, Frame frame, String detail, boolean paused, WireReport report,
            ClusterDocument document, Outgoing request, boolean documentWanted) {

        static Outcome of(Verdict v, Frame f, String detail, boolean paused) {
            return new Outcome(v, f, detail, paused, null, null, null, false);
        }
    }

    private final String node;
    private final FrameCodec codec;
    private final ReplayGuard replay;
    private final Challenge challenge;
    private final MembershipTracker members;
    private final DocumentProtocol documents;
    private final LinkStats links;
    private final Function<byte[], WireReport> reports;
    private final PartialReports partials = new PartialReports();

    /**
     * @param node      this node
     * @param codec     the frame codec with the cluster key
     * @param replay    the replay window of this process
     * @param challenge this incarnation's challenge
     * @param members   membership, fed by the counted frames
     * @param documents the document protocol
     * @param links     per peer and path statistics
     * @param reports   decodes a heartbeat's payload ({@link WireReport#decode}; a cache of it may stand in)
     */
    public InboundFrames(String node, FrameCodec codec, ReplayGuard replay, Challenge challenge,
            MembershipTracker members, DocumentProtocol documents, LinkStats links,
            Function<byte[], WireReport> reports) {
        this.node = node;
        this.codec = codec;
        this.replay = replay;
        this.challenge = challenge;
        this.members = members;
        this.documents = documents;
        this.links = links;
        this.reports = reports;
    }

    /**
     * @param path           the path it arrived on
     * @param counters       that path's counters, updated here
     * @param data           the bytes
     * @param offset         where the frame starts in them
     * @param length         its length
     * @param source         where it came from (an address), for refusals and the log
     * @param now            the monotonic time (ms)
     * @param intervalMillis the heartbeat interval
     * @return the verdict and what follows from it
     */
    public Outcome receive(String path, PathCounters counters, byte[] data, int offset, int length, String source,
            long now, long intervalMillis) {
        FrameCodec.Decoded d = codec.decode(data, offset, length);
        if (d.frame() == null) {
            boolean forged = d.rejection() == FrameCodec.Rejection.BAD_MAC;
            (forged ? counters.forged : counters.malformed).incrementAndGet();
            return Outcome.of(forged ? Verdict.FORGED : Verdict.MALFORMED, null,
                    "rejected a frame from " + source + ": " + d.detail(), false);
        }
        Frame f = d.frame();
        if (f.sender().equals(node)) {
            return Outcome.of(Verdict.OWN, f, "", false);
        }
        if (!f.path().equals(path)) {
            counters.wrongPath.incrementAndGet();
            return Outcome.of(Verdict.WRONG_PATH, f, "a frame from " + f.sender() + " was built for path '" + f.path()
                    + "' (check that every node names this network '" + path + "')", false);
        }
        switch (replay.check(f)) {
            case DUPLICATE -> {
                counters.duplicates.incrementAndGet();
                return Outcome.of(Verdict.DUPLICATE, f, "", false);
            }
            case STALE -> {
                counters.replayed.incrementAndGet();
                return Outcome.of(Verdict.STALE, f, "", false);
            }
            case FRESH -> members.refusals().heard(path, source, f.sender()); // alive: refusals are stale
        }
        // this frame, and all that waited in the socket, may have been sent while this process slept
        boolean paused = challenge.renewAfterPause(now, members.deadTimeMillis());
        members.acks().seen(f.sender(), f.incarnation());
        switch (challenge.admit(f, node)) { // only a peer that answered this incarnation's challenge counts
            case ANSWERED -> { }
            case ASKED -> {
                counters.unanswered.incrementAndGet();
                return Outcome.of(Verdict.ASKED, f, "", paused); // our next heartbeat echoes its challenge
            }
            case UNANSWERED -> {
                counters.unanswered.incrementAndGet();
                return Outcome.of(Verdict.UNANSWERED, f, "", paused);
            }
        }
        counters.accepted.incrementAndGet();
        members.heard(f.sender(), f.incarnation(), path, now);
        members.acks().counted(f.sender(), f.incarnation(), f.sequence(), f.ackFor(node));
        links.arrived(f.sender(), path, now, intervalMillis, f.ackFor(node), members.acks().sentAt(f.ackFor(node)));
        try {
            return switch (f.type()) {
                case HEARTBEAT -> heartbeat(f, now, intervalMillis, paused);
                case DOCUMENT_REQUEST -> new Outcome(Verdict.ACCEPTED, f, "", paused, null, null, null, true);
                case DOCUMENT -> new Outcome(Verdict.ACCEPTED, f, "", paused, null,
                        documents.piece(f.sender(), path, f.payload()), null, false);
            };
        } catch (RuntimeException e) {
            counters.malformed.incrementAndGet();
            return Outcome.of(Verdict.UNREADABLE, f, "an authenticated " + f.type() + " from " + f.sender()
                    + " could not be read: " + e.getMessage(), paused);
        }
    }

    private Outcome heartbeat(Frame f, long now, long intervalMillis, boolean paused) {
        WireReport r = reports.apply(f.payload());
        if (r.complete()) {
            partials.complete(f.sender(), f.incarnation(), r.report(), now);
            members.report(f.sender(), f.incarnation(), r.report());
        } else { // its groups did not fit this path: the last complete report stands while it is recent
            NodeReport stale = partials.partial(f.sender(), f.incarnation(), r.report(), now, 3 * intervalMillis);
            if (stale != null) {
                members.report(f.sender(), f.incarnation(), stale);
            }
        }
        if (r.leaving()) {
            members.leaving(f.sender(), f.incarnation());
        }
        Outgoing request = documents.announced(f.sender(), r.report().documentVersion(), r.documentDigest(), now);
        return new Outcome(Verdict.ACCEPTED, f, "", paused, r, null, request, false);
    }
}
