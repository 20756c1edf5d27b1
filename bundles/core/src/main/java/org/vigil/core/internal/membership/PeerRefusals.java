package org.vigil.core.internal.membership;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.vigil.core.internal.policy.Membership;

/**
 * Refused heartbeat ports, and the proof they make: a lost peer whose every network path that can tell has refused
 * its frames since it was last heard has no Vigil process any more (a frozen process keeps its sockets, a cut link
 * answers nothing), so it runs nothing: its programs die with the lifeline, and a restarted Vigil is a new
 * incarnation that joins without groups.
 *
 * <p>Transports report refusals by endpoint; a refusal counts for the node whose authenticated frames last came
 * from that endpoint on that path. Any authenticated frame of a node, on any path (serial and disk included),
 * clears its refusals: a refusal never outlives a sign of life, nor a restart. Against a forged ICMP error or reset
 * on one network, every such path to the node must have refused, at least {@link #MIN_REFUSALS} times over at least
 * one heartbeat interval (see docs/security.md).
 *
 * <p>Thread-safe: receiver and sender threads report, the engine thread asks.
 */
public final class PeerRefusals {

    /** Refusals a path needs before it counts: one could be a stray or forged packet. */
    static final int MIN_REFUSALS = 2;

    private record Source(String path, String endpoint) {
    }

    /** The refusals on one path since the node was last heard. */
    private record Streak(long first, long last, int count) {
        Streak next(long now) {
            return new Streak(first, now, count + 1);
        }
    }

    private final Map<Source, String> senders = new HashMap<>();
    /** Node, then path, then its refusals since the node was last heard. */
    private final Map<String, Map<String, Streak>> refusals = new HashMap<>();
    private volatile Predicate<String> canRefuse = path -> false;

    /** @param canRefuse tells whether a path is open with a transport that reports refusals */
    public void canRefuse(Predicate<String> canRefuse) {
        this.canRefuse = canRefuse;
    }

    /**
     * An authenticated, fresh frame arrived: the sender is alive, and sends from this endpoint on this path.
     *
     * @param path     the path
     * @param endpoint where the transport says it came from
     * @param node     the sender
     */
    public synchronized void heard(String path, String endpoint, String node) {
        senders.put(new Source(path, endpoint), node);
        refusals.remove(node);
    }

    /**
     * A transport reports that an endpoint refused a frame.
     *
     * @param path     the path
     * @param endpoint the refused endpoint
     * @param now      the monotonic time (ms)
     * @return the node it counts for, or null when no node was heard from that endpoint
     */
    public synchronized String refused(String path, String endpoint, long now) {
        String node = senders.get(new Source(path, endpoint));
        if (node != null) {
            refusals.computeIfAbsent(node, n -> new HashMap<>())
                    .merge(path, new Streak(now, now, 1), (old, fresh) -> old.next(now));
        }
        return node;
    }

    /**
     * Whether a lost peer's Vigil process is proven gone.
     *
     * @param peer           the peer
     * @param intervalMillis the heartbeat interval: each path's refusals must span at least this long
     * @return the proof for the status ("its Vigil process is gone: heartbeat ports refused on ..."), or null
     */
    public synchronized String gone(MembershipTracker.PeerView peer, long intervalMillis) {
        return peer.membership() != Membership.LOST ? null : goneEvenIfUp(peer, intervalMillis);
    }

    /**
     * As {@link #gone}, also for a peer not lost yet (silent for less than the dead time): the same refusals prove
     * its process gone before the dead time runs out. The lease's quorum counts it out at once.
     *
     * @param peer           a peer, up or lost
     * @param intervalMillis the heartbeat interval
     * @return the proof, or null
     */
    public synchronized String goneEvenIfUp(MembershipTracker.PeerView peer, long intervalMillis) {
        if (peer.membership() == Membership.UNKNOWN) {
            return null;
        }
        Map<String, Streak> mine = refusals.getOrDefault(peer.name(), Map.of());
        Predicate<String> can = canRefuse;
        List<String> refusedOn = new ArrayList<>();
        for (MembershipTracker.PathView path : peer.paths()) {
            if (!can.test(path.path())) {
                continue; // a serial line or a shared disk cannot tell; its frames still clear refusals
            }
            Streak s = mine.get(path.path());
            if (s == null || s.first() <= peer.lastHeard() || s.count() < MIN_REFUSALS
                    || s.last() - s.first() < intervalMillis) {
                return null;
            }
            refusedOn.add(path.path());
        }
        return refusedOn.isEmpty() ? null
                : "its Vigil process is gone: heartbeat ports refused on " + String.join(", ", refusedOn);
    }
}
