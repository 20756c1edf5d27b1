package org.vigil.core.internal.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeReport;

/**
 * Tracks every peer on every heartbeat path and decides membership: a peer is LOST only when it has
 * been silent on every path for the dead time; a peer silent on some paths is up but degraded.
 * Receiver threads call {@link #heard}; only the engine thread calls {@link #evaluate}, so state
 * transitions happen in one place. All times are monotonic milliseconds.
 */
public final class MembershipTracker {

    /** A membership change, for the log and alerts. @param node the peer @param from old state @param to new state @param detail why */
    public record Transition(String node, Membership from, Membership to, String detail) {
    }

    /** A path to a peer went down or came back. @param node the peer @param path the path @param up its new state */
    public record PathTransition(String node, String path, boolean up) {
    }

    /** One path to one peer. @param path the path @param lastHeard last accepted frame (ms) @param up heard within the dead time */
    public record PathView(String path, long lastHeard, boolean up) {
    }

    /**
     * One peer for the status and the policy.
     *
     * @param name        its name
     * @param membership  its state
     * @param incarnation its current incarnation
     * @param onlineSince when it last became a member
     * @param lastHeard   when any path last heard it
     * @param paths       each path's view
     * @param report      its last report
     * @param lostSince   when it was last declared lost (meaningful while {@link Membership#LOST})
     * @param left        true when it announced a clean departure in its current incarnation
     */
    public record PeerView(String name, Membership membership, long incarnation, long onlineSince, long lastHeard,
            List<PathView> paths, NodeReport report, long lostSince, boolean left) {
    }

    private static final class Peer {
        final String name;
        final Map<String, Long> lastHeard = new ConcurrentHashMap<>();
        volatile long incarnation;
        volatile NodeReport report = NodeReport.NONE;
        volatile boolean leaving;
        // engine-thread only:
        Membership state = Membership.UNKNOWN;
        long onlineSince;
        long lostSince;
        long seenIncarnation;
        final Map<String, Boolean> pathUp = new java.util.HashMap<>();

        Peer(String name) {
            this.name = name;
        }

        long lastAny() {
            long m = Long.MIN_VALUE;
            for (long t : lastHeard.values()) {
                m = Math.max(m, t);
            }
            return m;
        }
    }

    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final PeerRefusals refusals = new PeerRefusals();
    private final Acks acks = new Acks();
    private volatile long intervalMillis;
    private volatile long deadTimeMillis;

    /** @param intervalMillis the heartbeat interval @param deadTimeMillis silence on every path after which a peer is lost */
    public MembershipTracker(long intervalMillis, long deadTimeMillis) {
        setTiming(intervalMillis, deadTimeMillis);
    }

    /** @param intervalMillis the heartbeat interval @param deadTimeMillis the dead time */
    public void setTiming(long intervalMillis, long deadTimeMillis) {
        if (intervalMillis <= 0 || deadTimeMillis < 2 * intervalMillis) {
            throw new IllegalArgumentException("dead.time.ms (" + deadTimeMillis
                    + ") must be at least twice heartbeat.interval.ms (" + intervalMillis + ")");
        }
        this.intervalMillis = intervalMillis;
        this.deadTimeMillis = deadTimeMillis;
    }

    /** @return the dead time (ms) */
    public long deadTimeMillis() {
        return deadTimeMillis;
    }

    /** @return the heartbeat interval (ms) */
    public long intervalMillis() {
        return intervalMillis;
    }

    /** @return the refused heartbeat ports, which the transports report and {@link #gone} judges */
    public PeerRefusals refusals() {
        return refusals;
    }

    /** @return the acknowledged heartbeats (the lease's ground); thread-safe */
    public Acks acks() {
        return acks;
    }

    /** @param peer a peer @return the proof that its Vigil process is gone (every path that can tell refused), or null */
    public String gone(PeerView peer) {
        return refusals.gone(peer, intervalMillis);
    }

    /** @param peer a peer, up or lost @return as {@link #gone}, also before the dead time has passed */
    public String goneEvenIfUp(PeerView peer) {
        return refusals.goneEvenIfUp(peer, intervalMillis);
    }

    /**
     * Records an authenticated, fresh frame from a peer on a path. Called by receiver threads.
     *
     * @param node        the sender
     * @param incarnation its incarnation
     * @param path        the path it arrived on
     * @param now         the monotonic time
     */
    public void heard(String node, long incarnation, String path, long now) {
        Peer p = peers.computeIfAbsent(node, Peer::new);
        if (incarnation > p.incarnation) {
            p.incarnation = incarnation;
            p.report = NodeReport.NONE;
            p.leaving = false;
        }
        if (incarnation == p.incarnation) {
            p.lastHeard.put(path, now);
        }
    }

    /** @param node a peer @param incarnation the incarnation it reported in @param report its report */
    public void report(String node, long incarnation, NodeReport report) {
        Peer p = peers.get(node);
        if (p != null && p.incarnation == incarnation) {
            p.report = report;
        }
    }

    /** @param node a peer that announced a clean departure @param incarnation its incarnation */
    public void leaving(String node, long incarnation) {
        Peer p = peers.get(node);
        if (p != null && p.incarnation == incarnation) {
            p.leaving = true;
        }
    }

    /**
     * Recomputes every peer's state. Engine thread only.
     *
     * @param now the monotonic time
     * @return the transitions since the last call
     */
    public List<Transition> evaluate(long now) {
        List<Transition> out = new ArrayList<>();
        long suspectAfter = Math.max(3 * intervalMillis, deadTimeMillis / 2);
        for (Peer p : peers.values()) {
            long silent = now - p.lastAny();
            Membership next;
            if (p.leaving) {
                next = Membership.LOST;
            } else if (silent < suspectAfter) {
                next = Membership.ONLINE;
            } else if (silent < deadTimeMillis) {
                next = p.state == Membership.ONLINE || p.state == Membership.SUSPECT ? Membership.SUSPECT : p.state;
            } else {
                next = p.state == Membership.UNKNOWN ? Membership.UNKNOWN : Membership.LOST;
            }
            boolean restarted = p.seenIncarnation != 0 && p.incarnation != p.seenIncarnation;
            if (restarted && next.isUp()) {
                // It restarted within the dead time: its previous life (and what ran in it) is over.
                out.add(new Transition(p.name, p.state, Membership.LOST, "restarted (new incarnation)"));
                p.state = Membership.LOST;
                p.lostSince = now;
            }
            p.seenIncarnation = p.incarnation;
            if (next != p.state) {
                String detail = p.leaving ? "left the cluster cleanly"
                        : next == Membership.LOST ? "silent on every path for " + silent + " ms"
                        : next == Membership.SUSPECT ? "silent for " + silent + " ms" : "heard";
                out.add(new Transition(p.name, p.state, next, detail));
                if (next == Membership.ONLINE && !p.state.isUp()) {
                    p.onlineSince = now;
                }
                if (next == Membership.LOST) {
                    p.lostSince = now;
                }
                p.state = next;
            }
        }
        return out;
    }

    /**
     * Which paths to which live peers went down or came back since the last call. Engine thread only.
     * Paths of a lost peer are not reported one by one: the node-lost event says it all.
     *
     * @param now the monotonic time
     * @return the path transitions
     */
    public List<PathTransition> pathTransitions(long now) {
        List<PathTransition> out = new ArrayList<>();
        for (Peer p : peers.values()) {
            for (Map.Entry<String, Long> e : p.lastHeard.entrySet()) {
                boolean up = now - e.getValue() < deadTimeMillis;
                Boolean was = p.pathUp.put(e.getKey(), up);
                if (was != null && was != up && p.state.isUp()) {
                    out.add(new PathTransition(p.name, e.getKey(), up));
                }
            }
        }
        return out;
    }

    /** @param now the monotonic time @return every known peer, by name */
    public Map<String, PeerView> peers(long now) {
        Map<String, PeerView> out = new TreeMap<>();
        for (Peer p : peers.values()) {
            List<PathView> paths = new ArrayList<>();
            new TreeMap<>(p.lastHeard).forEach((path, t) -> paths.add(new PathView(path, t, now - t < deadTimeMillis)));
            out.put(p.name, new PeerView(p.name, p.state, p.incarnation, p.onlineSince, p.lastAny(), paths, p.report,
                    p.lostSince, p.leaving));
        }
        return out;
    }

}
