package org.vigil.core.internal.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.Severity;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;

/**
 * Fencing as the engine carries it out: lost peers fenced on the policy's request (after the fence delay,
 * retried), the admin's fence and confirm-down, each leaving a {@link Proofs proof}; the fence requests this
 * node obeys (a poison pill, a path's self-fencing rule); and the alert when this node, without quorum, has
 * not stopped its resources within its self-fencing bound. The devices and agents are {@link Fencing}'s.
 */
final class FenceControl {

    private static final Logger LOG = LoggerFactory.getLogger(FenceControl.class);
    /** How long after a failed fence request it is tried again. */
    static final long FENCE_RETRY_MILLIS = 5_000;

    private final String node;
    private final LongSupplier clock;
    private final MembershipTracker members;
    private final DocumentStore docs;
    private final Alerts alerts;
    private final ExecutorService workers;
    private final Inbox inbox;
    private final LocalState locals;
    private final Proofs proofs;
    private volatile Fencing fencing;
    private volatile long fenceDelayMillis;
    private volatile Map<String, String> fenceSummary = Map.of();
    /** The fence request this node obeys (from a path: a poison pill, or self-fencing), or null. */
    private volatile String fencedBy;
    /** Fence requests the admin cleared with vigil:cleanup: repeated by a transport, they do not fence again. */
    private final Set<String> clearedFences = ConcurrentHashMap.newKeySet();
    /** Published each tick: no local resource is active, probing or busy. */
    private volatile boolean quiet;

    // Engine thread only.
    private final Map<String, FenceState> fenceStates = new HashMap<>();
    private long quorumLostAt = -1;
    private boolean lateAlerted;

    /** Automatic fencing of one node. */
    private static final class FenceState {
        Future<?> future;
        long deadline;
        long lastFailedAt;
        String last = "";
    }

    FenceControl(String node, LongSupplier clock, MembershipTracker members, DocumentStore docs, Alerts alerts,
            ExecutorService workers, Inbox inbox, LocalState locals, Proofs proofs) {
        this.node = node;
        this.clock = clock;
        this.members = members;
        this.docs = docs;
        this.alerts = alerts;
        this.workers = workers;
        this.inbox = inbox;
        this.locals = locals;
        this.proofs = proofs;
        this.fencing = new Fencing(clock);
    }

    /** @param f this node's fence devices and agents */
    void setFencing(Fencing f) {
        this.fencing = Objects.requireNonNull(f);
    }

    /** @return this node's fence devices and agents */
    Fencing fencing() {
        return fencing;
    }

    /** @param millis how long this node waits before it fences a lost peer (fence races in two-node clusters) */
    void setFenceDelay(long millis) {
        this.fenceDelayMillis = Math.max(0, millis);
    }

    /** @param q whether no local resource is active, probing or busy (each tick) */
    void setQuiet(boolean q) {
        this.quiet = q;
    }

    /** @return the fence request this node obeys, or null */
    String fencedBy() {
        return fencedBy;
    }

    /** @param fence the request this node obeyed, cleared by the admin's vigil:cleanup: repeated, it does not fence */
    void cleared(String fence) {
        clearedFences.add(fence);
        fencedBy = null;
    }

    /** @return each node's last automatic fencing result, for the status */
    Map<String, String> fenceResults() {
        return fenceSummary;
    }

    /** Takes each node's automatic fencing state for the status (engine thread, each tick). */
    void summarize() {
        Map<String, String> fs = new TreeMap<>();
        fenceStates.forEach((n, st) -> fs.put(n, st.future != null ? "fencing under way" : st.last));
        fenceSummary = Map.copyOf(fs);
    }

    /** Fences a lost node on the policy's request: once at a time, after the fence delay, retried after a failure. */
    void fence(Action.Fence f, long now) {
        FenceState st = fenceStates.computeIfAbsent(f.node(), k -> new FenceState());
        if (st.future != null) {
            if (now > st.deadline) {
                st.future.cancel(true);
                st.future = null;
                st.lastFailedAt = now;
                st.last = "timed out";
                alerts.raise(Severity.CRITICAL, "fence-failed", f.node(), "fencing " + f.node() + " did not finish in time;"
                        + " its groups stay blocked; retrying in " + FENCE_RETRY_MILLIS / 1000 + " s");
            }
            return;
        }
        if (st.lastFailedAt != 0 && now - st.lastFailedAt < FENCE_RETRY_MILLIS) {
            return;
        }
        MembershipTracker.PeerView p = members.peers(now).get(f.node());
        long inc = p == null ? 0 : p.incarnation();
        long heardAt = p == null ? Long.MIN_VALUE : p.lastHeard();
        long delay = fenceDelayMillis;
        alerts.raise(Severity.WARNING, "fence", f.node(), "fencing " + f.node()
                + (delay > 0 ? " after fence.delay.ms (" + delay + " ms)" : "") + ": " + f.reason());
        st.deadline = now + delay + 180_000;
        try {
            st.future = workers.submit(() -> {
                if (delay > 0) {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                MembershipTracker.PeerView again = members.peers(clock.getAsLong()).get(f.node());
                FenceResult r = again != null && again.lastHeard() > heardAt
                        ? new FenceResult(FenceResult.Outcome.FAILED, f.node() + " was heard again; not fenced")
                        : fencing.fence(f.node(), FenceAction.OFF);
                inbox.submit(() -> fenceDone(f.node(), inc, r));
            });
        } catch (RejectedExecutionException e) {
            st.lastFailedAt = now;
        }
    }

    private void fenceDone(String target, long incarnation, FenceResult r) {
        long now = clock.getAsLong();
        FenceState st = fenceStates.computeIfAbsent(target, k -> new FenceState());
        st.future = null;
        st.last = r.outcome() + ": " + r.message();
        if (r.outcome() == FenceResult.Outcome.NODE_OFF) {
            st.lastFailedAt = 0;
            proofs.put(target, new Proofs.Proof(incarnation, now, "fenced (" + r.message() + ")", StopProof.Kind.FENCED));
            alerts.raise(Severity.CRITICAL, "fenced", target, "node " + target + " was fenced (" + r.message()
                    + "): its groups may start elsewhere");
        } else {
            st.lastFailedAt = now;
            alerts.raise(Severity.CRITICAL, "fence-failed", target, "fencing " + target + " failed (" + r.message()
                    + "): its groups stay blocked until fencing succeeds or the admin runs vigil:fence-confirm " + target
                    + "; retrying every " + FENCE_RETRY_MILLIS / 1000 + " s");
        }
        inbox.wakeup();
    }

    /** Fences a node now for the admin (no fence delay); a NODE_OFF result is a proof until it is heard again. */
    CompletableFuture<FenceResult> fenceNow(String target, FenceAction action) {
        CompletableFuture<FenceResult> out = new CompletableFuture<>();
        MembershipTracker.PeerView p = members.peers(clock.getAsLong()).get(target);
        long inc = p == null ? 0 : p.incarnation();
        workers.submit(() -> {
            FenceResult r = fencing.fence(target, action);
            if (action != FenceAction.STATUS && r.outcome() == FenceResult.Outcome.NODE_OFF) {
                inbox.submit(() -> {
                    proofs.put(target, new Proofs.Proof(inc, clock.getAsLong(), "fenced by the admin (" + r.message() + ")",
                            StopProof.Kind.FENCED));
                    alerts.raise(Severity.CRITICAL, "fenced", target, "node " + target + " was fenced by the admin ("
                            + r.message() + ")");
                });
            }
            out.complete(r);
        });
        return out;
    }

    /** The admin vouches that a node is down: a proof until it is heard again; refused for an online node. */
    CompletableFuture<String> confirmDown(String target) {
        CompletableFuture<String> out = new CompletableFuture<>();
        inbox.submit(() -> {
            long now = clock.getAsLong();
            MembershipTracker.PeerView p = members.peers(now).get(target);
            if (target.equals(node)) {
                out.completeExceptionally(new IllegalArgumentException("node " + target + " is this node"));
            } else if (p != null && p.membership().isUp()) {
                out.completeExceptionally(new IllegalArgumentException("node " + target + " is online (heard "
                        + Math.max(0, now - p.lastHeard()) + " ms ago): it is not down"));
            } else {
                proofs.put(target, new Proofs.Proof(p == null ? 0 : p.incarnation(), now, "confirmed down by the admin",
                        StopProof.Kind.CONFIRMED));
                alerts.raise(Severity.WARNING, "fence-confirmed", target, "the admin confirmed that node " + target
                        + " is down: its groups may start elsewhere");
                out.complete("node " + target + " is taken as down until it is heard again");
            }
        });
        return out;
    }

    /**
     * Obeys a fence request from a heartbeat path (thread-safe): bans every group here once.
     *
     * @return true once no resource is active, probing or busy on this node
     */
    boolean fenceRequested(String from, String reason) {
        String request = (from.equals(node) ? "self-fenced" : "fenced by node " + from) + ": " + reason;
        if (clearedFences.contains(request)) {
            return quiet;
        }
        synchronized (clearedFences) {
            if (fencedBy == null) {
                fencedBy = request;
                quiet = false;
                LOG.error("{}: stopping every resource on this node; no group starts here until vigil:cleanup or a restart",
                        request);
                alerts.raise(Severity.CRITICAL, "fenced", node, node + " " + request
                        + ": stopping every resource; no group starts here until vigil:cleanup or a restart");
                inbox.submit(() -> {
                    for (GroupDef g : docs.current().groups()) {
                        locals.ban(g.name(), request);
                    }
                });
                return false;
            }
        }
        return request.equals(fencedBy) && quiet;
    }

    /** Alerts once when this node, without quorum, still runs resources past its self-fencing bound. */
    void checkSelfFencing(long now, QuorumView qv) {
        if (qv.has()) {
            quorumLostAt = -1;
            lateAlerted = false;
            return;
        }
        if (quorumLostAt < 0) {
            quorumLostAt = now;
        }
        if (qv.lossStopMillis() > 0 && !lateAlerted && now - quorumLostAt > qv.lossStopMillis()) {
            List<String> still = locals.resources().stream()
                    .filter(l -> l.state.isActive() && l.state != ResourceState.UNKNOWN)
                    .map(l -> l.name + " " + l.state).toList();
            if (!still.isEmpty()) {
                lateAlerted = true;
                alerts.raise(Severity.CRITICAL, "self-fence-late", node, "node " + node + " lost quorum "
                        + (now - quorumLostAt) + " ms ago and has not stopped " + String.join(", ", still)
                        + " within quorum.loss.stop.ms (" + qv.lossStopMillis() + " ms): the other nodes may start them"
                        + " after that bound; configure a fence device or shorter stop timeouts");
            }
        }
    }
}
