package org.vigil.core.internal.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per peer and path, what arrived: counted frames, missed heartbeats (silences longer than one and a half
 * intervals, in intervals), and the acknowledgement delay: from this node sending a frame to the first frame of
 * the peer, on this path, that acknowledges it. That delay is the round trip plus the peer's wait for its next
 * frame (at most one interval): the figure the lease's margin depends on.
 *
 * <p>Thread-safe: each path's receiver thread calls {@link #arrived}; the status reads {@link #lines}.
 */
public final class LinkStats {

    /**
     * One peer on one path.
     *
     * @param peer            the peer
     * @param path            the path
     * @param frames          frames counted
     * @param missed          heartbeats missed (estimated from silences)
     * @param ackDelays       acknowledgement delays measured
     * @param ackDelaySum     their sum (ms)
     * @param lastAckDelay    the last one (ms), or -1 before the first
     */
    public record Line(String peer, String path, long frames, long missed, long ackDelays, long ackDelaySum,
            long lastAckDelay) {
    }

    private static final class Link {
        long frames;
        long missed;
        long lastArrival = Long.MIN_VALUE;
        long lastAck;
        long delays;
        long delaySum;
        long lastDelay = -1;
    }

    private final ConcurrentHashMap<String, Map<String, Link>> peers = new ConcurrentHashMap<>();

    /**
     * A counted frame of a peer arrived on a path.
     *
     * @param peer           the sender
     * @param path           the path
     * @param now            monotonic ms
     * @param intervalMillis the heartbeat interval
     * @param ack            the highest of this node's sequences it acknowledges (0: none)
     * @param sentAt         when this node sent that sequence (monotonic ms), or Long.MIN_VALUE when unknown
     */
    public void arrived(String peer, String path, long now, long intervalMillis, long ack, long sentAt) {
        Map<String, Link> byPath = peers.computeIfAbsent(peer, k -> new TreeMap<>());
        synchronized (byPath) {
            Link l = byPath.computeIfAbsent(path, k -> new Link());
            l.frames++;
            if (l.lastArrival != Long.MIN_VALUE && intervalMillis > 0) {
                long gap = now - l.lastArrival;
                if (gap * 2 > intervalMillis * 3) {
                    l.missed += Math.max(1, Math.round((double) gap / intervalMillis) - 1);
                }
            }
            l.lastArrival = now;
            if (ack > l.lastAck) {
                l.lastAck = ack;
                if (sentAt != Long.MIN_VALUE && now >= sentAt) {
                    l.delays++;
                    l.delaySum += now - sentAt;
                    l.lastDelay = now - sentAt;
                }
            }
        }
    }

    /** @return every peer's links, by peer then path */
    public List<Line> lines() {
        List<Line> out = new ArrayList<>();
        new TreeMap<>(peers).forEach((peer, byPath) -> {
            synchronized (byPath) {
                byPath.forEach((path, l) -> out.add(new Line(peer, path, l.frames, l.missed, l.delays, l.delaySum,
                        l.lastDelay)));
            }
        });
        return out;
    }
}
