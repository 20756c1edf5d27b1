package org.vigil.core.internal.engine;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.Severity;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.core.internal.membership.Lease;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.quorum.PingRule;
import org.vigil.core.internal.quorum.PingTieBreaker;
import org.vigil.core.internal.policy.QuorumView;

/**
 * This node's quorum, evaluated each tick from what it hears (and what its peers say they hear), with the
 * tie-breaker asked on a worker thread when the {@link Quorum} state machine wants it. Engine thread only,
 * but for the quorum state machine, which the configuration replaces.
 */
final class QuorumWatch {

    private static final Logger LOG = LoggerFactory.getLogger(QuorumWatch.class);
    /** The time budget of one tie-breaker request. */
    static final long TIE_TIMEOUT_MILLIS = 3_000;

    private final String node;
    private final LongSupplier clock;
    private final MembershipTracker members;
    private final Alerts alerts;
    private final ExecutorService workers;
    private final Inbox inbox;
    private final Proofs proofs;
    private volatile Quorum quorum;
    private volatile Supplier<TieBreaker> tieBreaker = () -> null;

    // Engine thread only.
    private QuorumView lastQuorum = QuorumView.NOT_CONFIGURED;
    private Set<String> hears = Set.of();
    private long quorateSince = -1;
    private boolean tieInFlight;
    private long promiseMillis = -1;
    private Set<String> unacknowledged = Set.of();
    /** When each peer was last proven down (engine thread), until it acknowledges this node's frames again. */
    private final Map<String, Long> provenDownAt = new java.util.HashMap<>();
    /** Every member on this node's side at once since it started or last lost quorum (wait for all). */
    private boolean seenAll;
    /** Lost members whose public address was silent while this node held quorum, not heard since. */
    private final Set<String> cutOff = new TreeSet<>();
    private java.util.function.Consumer<String> onLeaseLost = why -> { };

    QuorumWatch(String node, LongSupplier clock, MembershipTracker members, Alerts alerts, ExecutorService workers,
            Inbox inbox, Proofs proofs) {
        this.node = node;
        this.clock = clock;
        this.members = members;
        this.alerts = alerts;
        this.workers = workers;
        this.inbox = inbox;
        this.proofs = proofs;
        this.quorum = new Quorum(node);
    }

    /** @param q this node's quorum state machine */
    void setQuorum(Quorum q) {
        this.quorum = Objects.requireNonNull(q);
    }

    /** @return this node's quorum state machine */
    Quorum quorum() {
        return quorum;
    }

    /** @param t supplies the configured tie-breaker, or null when it is not installed */
    void setTieBreaker(Supplier<TieBreaker> t) {
        this.tieBreaker = Objects.requireNonNull(t);
    }

    /** @param r what to do the instant the lease lapses (the fast stop), given why */
    void onLeaseLost(java.util.function.Consumer<String> r) {
        this.onLeaseLost = Objects.requireNonNull(r);
    }

    /**
     * @return what this node promises in its heartbeats: counted from a peer's last receipt from it, everything
     *         here has stopped within this time once its lease lapsed; -1 when it promises no such thing (no quorum
     *         configured, timing too tight for a lease, or a tie-breaker that answers in rounds)
     */
    long promiseMillis() {
        return promiseMillis;
    }

    /**
     * @return with the lease, the peers heard at the latest tick that have not acknowledged a frame of this node
     *         within the lease: one direction of the link is cut, so what they last reported may be stale and what
     *         they know of this node too (the policy waits for them as for a silent peer)
     */
    Set<String> unacknowledged() {
        return unacknowledged;
    }

    /** @return the quorum of the latest tick */
    QuorumView last() {
        return lastQuorum;
    }

    /** @return the peers this node heard at the latest tick (they ride in its report) */
    Set<String> hears() {
        return hears;
    }

    /** @return since when this node has had quorum without a break (monotonic ms), or -1 while it has none */
    long quorateSince() {
        return quorateSince;
    }

    /**
     * A node that has just gained quorum starts nothing until its report saying so has reached its peers:
     * until then they do not count it as a candidate and may place its groups on themselves.
     *
     * @return true when quorum is not configured, or this node has had it for two heartbeat intervals
     */
    boolean reportedQuorate(QuorumView qv, long now) {
        if (!qv.has()) {
            quorateSince = -1;
        } else if (quorateSince < 0) {
            quorateSince = now;
        }
        return !qv.configured() || now - quorateSince >= 2 * members.intervalMillis();
    }

    /**
     * @return this node's quorum now: its side is itself and the peers that hear it; peers lost with a proof are
     *         known down. Alerts when quorum is lost or regained once settled
     */
    QuorumView evaluateQuorum(long now, Map<String, MembershipTracker.PeerView> peers, boolean settled) {
        Quorum q = quorum;
        long lease = q.settings().configured() ? Lease.leaseMillis(members.deadTimeMillis(), members.intervalMillis()) : -1;
        Set<String> side = new TreeSet<>();
        side.add(node);
        Set<String> heard = new TreeSet<>();
        Set<String> knownDown = new TreeSet<>();
        Set<String> unacked = new TreeSet<>();
        boolean twoMembers = q.settings().votes().size() == 2;
        for (MembershipTracker.PeerView p : peers.values()) {
            if (p.name().equals(node)) {
                continue;
            }
            String proof = lease > 0 && p.membership().isUp() ? members.goneEvenIfUp(p) : proofs.proof(p);
            if (proof != null) {
                provenDownAt.put(p.name(), now);
            }
            if (p.membership().isUp()) {
                heard.add(p.name());
                Set<String> theirs = p.report().hears();
                // A peer that joined within the dead time may not have heard this node yet: it counts. One that
                // has been up longer and still does not list this node cannot hear it (a one-way cut): it does not.
                boolean joining = now - p.onlineSince() < members.deadTimeMillis();
                if (lease <= 0) {
                    if (theirs == null || theirs.contains(node) || joining) {
                        side.add(p.name());
                    }
                } else if (acknowledgedWithin(p.name(), now, lease)) {
                    side.add(p.name()); // it acknowledged a heartbeat this node sent within the lease
                    provenDownAt.remove(p.name());
                } else if (proof != null || recentlyProvenDown(p.name(), now)) {
                    // Its Vigil process is gone (every heartbeat port refused) although frames of it may still be in
                    // flight, or it is back after such a proof (a new life that runs nothing yet) and has not
                    // acknowledged yet: its vote stays out of the total for the dead time at most, so this node's
                    // lease does not lapse because the other one died or came back.
                    knownDown.add(p.name());
                } else if (!twoMembers || now < members.acks().confirmedAt(p.name()) + lease + Lease.STOP_MILLIS) {
                    // Heard but not acknowledging: one direction of the link is cut; what it reported may be stale.
                    // With two members its lease rests on this node's acknowledgements alone: its last one names a
                    // frame of this node it heard, so it has stopped within the lease after that frame was sent.
                    unacked.add(p.name());
                }
            } else if (p.membership() == Membership.LOST && proof != null) {
                knownDown.add(p.name());
            } else if (lease > 0 && recentlyProvenDown(p.name(), now)) {
                knownDown.add(p.name()); // the proof just ended (a frame of its new life came) but it is not back yet
            }
        }
        proofs.forEach((n, pr) -> {
            if (!peers.containsKey(n)) {
                knownDown.add(n); // never heard since this node started, confirmed down by the admin
                provenDownAt.put(n, now);
            }
        });
        hears = heard;
        unacknowledged = unacked;
        TieBreaker tb = tieBreaker.get();
        Quorum.TieVerdict instant = null;
        if (lease > 0 && tb instanceof PingTieBreaker ping) {
            Set<String> lost = new TreeSet<>(q.settings().votes().keySet());
            lost.removeAll(side);
            forgetHeard(side, peers, now, lease);
            PingRule.Outcome o = ping.decideNow(side, lost, new PingRule.Memory(seenAll, cutOff));
            instant = new Quorum.TieVerdict(o.verdict() == PingRule.Verdict.WIN, o.detail(),
                    o.verdict() == PingRule.Verdict.PENDING);
        }
        QuorumView qv = q.evaluate(now, side, knownDown, instant);
        remember(qv, side, peers, tb, q.settings().votes().keySet());
        promiseMillis = lease > 0 && (q.settings().tieBreaker().isEmpty() || instant != null)
                ? Lease.promiseMillis(members.deadTimeMillis(), members.intervalMillis()) : -1;
        if (lease > 0 && lastQuorum.configured() && lastQuorum.has() && !qv.has()) {
            onLeaseLost.accept(qv.detail()); // before anything else: the survivors count on STOP_MILLIS
        }
        if (q.wantsTieBreak(now) && !tieInFlight) {
            askTieBreaker();
        }
        if (settled && qv.has() != lastQuorum.has()) {
            if (qv.has()) {
                alerts.raise(Severity.INFO, "quorum-regained", node, "node " + node + " has quorum: " + qv.detail());
            } else {
                alerts.raise(Severity.CRITICAL, "quorum-lost", node, "node " + node + " has lost quorum (" + qv.detail()
                        + "): it stops every resource here" + (lease > 0 ? " at once (its lease lapsed)"
                        : qv.lossStopMillis() > 0 ? " within " + qv.lossStopMillis() + " ms (quorum.loss.stop.ms)" : ""));
            }
        }
        lastQuorum = qv;
        return qv;
    }

    /**
     * Keeps what the ping rule cannot read from the prober. A member found silent while this node holds quorum lost
     * its own lease then (its side reached no target); it cannot win a tie again before it has had every member on
     * its side, which needs this node's acknowledgement of a frame this node heard from it. So this node forgets it
     * once it acknowledges in turn (on this side), or once it has been heard for a while without that: had it
     * received this node's acknowledgement and been cut off right after, it starts nothing this node ran before its
     * last receipt from this node plus the freeze bound and the fast stop (this node's address answers it) or the
     * lease and the fast stop; forgetting it two heartbeat intervals before the longer of the lease and the freeze
     * bound has passed since it was first heard, this node loses that tie and stops everything in time. Losing
     * quorum forgets everything: the other side may then win by this node's silence.
     */
    private void remember(QuorumView qv, Set<String> side, Map<String, MembershipTracker.PeerView> peers,
            TieBreaker tb, Set<String> votes) {
        if (!qv.has()) {
            seenAll = false;
            cutOff.clear();
            return;
        }
        if (side.containsAll(votes)) {
            seenAll = true;
        }
        if (tb instanceof PingTieBreaker ping) {
            for (String n : votes) {
                MembershipTracker.PeerView p = peers.get(n);
                if (!side.contains(n) && (p == null || !p.membership().isUp()) && ping.addressSilent(n)) {
                    cutOff.add(n);
                }
            }
        }
    }

    /** Forgets the cut-off members on this side, and those heard for too long without acknowledging (see above). */
    private void forgetHeard(Set<String> side, Map<String, MembershipTracker.PeerView> peers, long now, long lease) {
        long keep = Math.max(lease, quorum.settings().freezeMillis()) - 2 * members.intervalMillis();
        cutOff.removeIf(n -> {
            MembershipTracker.PeerView p = peers.get(n);
            return side.contains(n) || p != null && p.membership().isUp() && now - p.onlineSince() >= keep;
        });
    }

    /**
     * Until when a lost peer may still run what it ran, by its lease promise (two members): from this node's last
     * receipt from it, its promise; when its public address still answers ping (its machine lives: only the
     * heartbeats are cut, or its process is frozen and stops only after it wakes) at least the freeze bound plus
     * the fast stop. A peer frozen for longer than the freeze bound ({@code quorum.freeze.ms}) may overlap unless
     * fenced first.
     *
     * @return the instant (this node's clock), or Long.MIN_VALUE when it made no promise
     */
    long leaseUntil(MembershipTracker.PeerView p) {
        long promise = p.report().leaseMillis();
        if (promise <= 0) {
            return Long.MIN_VALUE;
        }
        boolean silent = tieBreaker.get() instanceof PingTieBreaker ping && ping.addressSilent(p.name());
        long freeze = quorum.settings().freezeMillis();
        return p.lastHeard() + (silent ? promise : Math.max(promise, freeze + Lease.STOP_MILLIS));
    }

    /** @param peer a peer; @return true when the ping tie-breaker finds its public address silent now */
    boolean addressSilent(String peer) {
        return tieBreaker.get() instanceof PingTieBreaker ping && ping.addressSilent(peer);
    }

    /** @return true when the peer was proven down within the dead time and has not acknowledged since */
    private boolean recentlyProvenDown(String peer, long now) {
        Long at = provenDownAt.get(peer);
        return at != null && now - at < members.deadTimeMillis();
    }

    /** @return true when the peer acknowledged a frame this node sent within the lease (never: false) */
    private boolean acknowledgedWithin(String peer, long now, long lease) {
        long at = members.acks().confirmedAt(peer);
        return at != Long.MIN_VALUE && now - at < lease;
    }

    private void askTieBreaker() {
        TieBreaker tb = tieBreaker.get();
        Set<String> side = quorum.side();
        Set<String> lost = quorum.lost();
        tieInFlight = true;
        try {
            workers.submit(() -> {
                boolean wins = false;
                if (tb == null) {
                    LOG.warn("the tie-breaker '{}' is not installed: this side cannot win a tie", quorum.settings().tieBreaker());
                } else {
                    try {
                        wins = tb.wins(node, side, lost, new OpContext(TIE_TIMEOUT_MILLIS, clock));
                    } catch (RuntimeException | LinkageError e) {
                        LOG.warn("tie-breaker {} threw; this side loses the tie", tb.type(), e);
                    }
                }
                boolean answer = wins;
                inbox.submit(() -> {
                    tieInFlight = false;
                    quorum.tieAnswer(answer, clock.getAsLong());
                });
            });
        } catch (RejectedExecutionException e) {
            tieInFlight = false;
        }
    }
}
