package org.vigil.core.internal.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.Severity;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.ResourceType;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.Policy;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.Snapshot;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * The executor beside the pure {@link Policy}: one engine thread owns all local resource state. Each
 * tick it evaluates membership, takes a {@link Snapshot}, asks the policy, and hands the resulting
 * operations to worker threads, each guarded by a timeout; results come back to the engine thread
 * through its inbox. Plug-in calls never run on the engine thread, so a hung agent cannot stall
 * membership or other groups.
 *
 * <p>This class holds the tick loop; each concern it drives has a class of its own: {@link OperationExecutor}
 * (resource operations), {@link FenceControl} and {@link Proofs} (fencing), {@link QuorumWatch} (quorum and the
 * tie-breaker), {@link PublicNetworkTracker}, {@link DocumentSync} (local state against the document, this node's
 * report), {@link StatusPublisher} (snapshot, report and status), {@link StartGate} (readiness and the start-up wait),
 * {@link MembershipAlerts}, {@link PlacementLog}.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final long TICK_MILLIS = 25;

    private final String node;
    private final LongSupplier clock;
    private final DocumentStore docs;
    private final MembershipTracker members;
    private final Alerts alerts;
    private final Inbox inbox = new Inbox();
    private final LocalState locals;
    private final ResourceTypes types;
    private final FenceControl fences;
    private final QuorumWatch quorum;
    private final PublicNetworkTracker publicNetwork;
    private volatile Supplier<String> fastStop;
    private final DocumentSync sync;
    private final OperationExecutor operations;
    private final HandoverWitness handovers = new HandoverWitness();
    private final PlacementLog placements = new PlacementLog();
    private final StatusPublisher publisher;
    private final StartGate gate;
    private volatile LongUnaryOperator heartbeatSilence;
    private volatile boolean running;

    /**
     * @param node          this node's name
     * @param stateDir      where per-resource state directories live
     * @param clock         monotonic milliseconds
     * @param docs          the cluster document
     * @param members       membership
     * @param processes     the registry of supervised programs
     * @param alerts        where events go
     * @param workers       threads for plug-in calls
     * @param settleMillis  how long after start the node waits before starting anything
     * @param reportChanged called (from the engine thread) when this node's report changed
     */
    public Engine(String node, Path stateDir, LongSupplier clock, DocumentStore docs, MembershipTracker members,
            ProcessRegistry processes, Alerts alerts, ExecutorService workers, long settleMillis, Runnable reportChanged) {
        this.node = node;
        this.clock = clock;
        this.docs = docs;
        this.members = members;
        this.alerts = alerts;
        long startedAt = clock.getAsLong();
        this.gate = new StartGate(startedAt, settleMillis, members::intervalMillis);
        this.locals = new LocalState(docs);
        this.types = new ResourceTypes(locals, inbox, alerts);
        Proofs proofs = new Proofs(node, clock, members);
        this.fences = new FenceControl(node, clock, members, docs, alerts, workers, inbox, locals, proofs);
        this.quorum = new QuorumWatch(node, clock, members, alerts, workers, inbox, proofs);
        this.fastStop = processes::stopEverythingNow;
        quorum.onLeaseLost(why -> {
            // The survivors count on it: no graceful stop first. The policy's ordered stops follow and find
            // everything gone already.
            boolean any = locals.resources().stream().anyMatch(l -> l.state.isActive());
            String what = fastStop.get();
            if (any) {
                alerts.raise(Severity.CRITICAL, "lease-lost", node, "node " + node + " lost its lease (" + why
                        + "): it stopped everything at once (" + what + ")");
            }
        });
        this.publicNetwork = new PublicNetworkTracker(node, clock, alerts, workers, inbox);
        this.sync = new DocumentSync(node, alerts, locals, types, fences, quorum, publicNetwork);
        this.operations = new OperationExecutor(node, stateDir, clock, docs, members, processes, alerts, workers, inbox,
                locals, types, proofs, fences);
        this.publisher = new StatusPublisher(node, startedAt, reportChanged, inbox, locals, types, sync, quorum, proofs,
                fences, publicNetwork);
    }

    /** @param q this node's quorum state machine (default: quorum not configured) */
    public void setQuorum(Quorum q) {
        quorum.setQuorum(q);
    }

    /** @return this node's quorum state machine */
    public Quorum quorum() {
        return quorum.quorum();
    }

    /** @param f this node's fence devices and agents */
    public void setFencing(Fencing f) {
        fences.setFencing(f);
    }

    /** @return this node's fence devices and agents */
    public Fencing fencing() {
        return fences.fencing();
    }

    /**
     * Replaces the lease's fast stop (default: {@link ProcessRegistry#stopEverythingNow()}), for the deterministic
     * simulation, whose resources live outside the process registry.
     *
     * @param stop kills and releases everything this node runs, at once; returns what it set off, for the log
     */
    public void setFastStop(Supplier<String> stop) {
        this.fastStop = java.util.Objects.requireNonNull(stop);
    }

    /** @param t supplies the configured tie-breaker, or null when it is not installed */
    public void setTieBreaker(Supplier<TieBreaker> t) {
        quorum.setTieBreaker(t);
    }

    /**
     * @param silence given the monotonic time, the longest silence of this node's outgoing heartbeats since the
     *                last call (null: unknown, every long gap between ticks counts as a pause)
     */
    public void setHeartbeatSilence(LongUnaryOperator silence) {
        this.heartbeatSilence = silence;
    }

    /**
     * @param since when this node's first heartbeat path opened (monotonic ms; Long.MIN_VALUE while none has): the
     *              start-up wait runs from then too, since peers count only once heard and they answered this
     *              node's challenge ({@link org.vigil.core.internal.heartbeat.HeartbeatIo#listeningSince})
     */
    public void setListeningSince(LongSupplier since) {
        gate.setListeningSince(since);
    }

    /**
     * @param at when the last frame came from a peer that has not yet answered this node's challenge (monotonic ms;
     *           Long.MIN_VALUE if none has) ({@link org.vigil.core.internal.heartbeat.HeartbeatIo#lastUnansweredAt})
     */
    public void setUnansweredAt(LongSupplier at) {
        gate.setUnansweredAt(at);
    }

    /** @param millis how long this node waits before it fences a lost peer (fence races in two-node clusters) */
    public void setFenceDelay(long millis) {
        fences.setFenceDelay(millis);
    }

    /** @param w this node's public network watch, or null to watch nothing */
    public void setPublicWatch(PublicNetworkWatch w) {
        publicNetwork.setWatch(w);
    }

    /** @return this node's public network watch, or null */
    public PublicNetworkWatch publicWatch() {
        return publicNetwork.watch();
    }

    /** @param reason why this node must not run anything (no cluster key, ...), or null when ready */
    public void setNotReady(String reason) {
        gate.setNotReady(reason);
    }

    /** @param check why this node must not start anything right now (no open heartbeat path, ...), or null */
    public void setReadinessCheck(Supplier<String> check) {
        gate.setReadinessCheck(check);
    }

    /** @param millis the start-up wait */
    public void setSettleMillis(long millis) {
        gate.setSettleMillis(millis);
    }

    /** Starts the engine thread. */
    public synchronized void start() {
        running = true;
        Thread t = new Thread(this::loop, "vigil-engine[" + node + "]");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY - 1);
        inbox.attach(t);
        t.start();
    }

    /** Wakes the engine thread now (new frame, new document, command). */
    public void wakeup() {
        inbox.wakeup();
    }

    /** @param task work to run on the engine thread */
    public void submit(Runnable task) {
        inbox.submit(task);
    }

    /** @return the latest report for heartbeats */
    public WireReport report() {
        return publisher.report();
    }

    /** @return the latest status for the shell */
    public EngineStatus status() {
        return publisher.status();
    }

    /**
     * @param events this node's event counts @param links its link figures
     * @return with the counters of its groups and resource operations
     */
    public org.vigil.core.internal.stats.NodeStats stats(Map<String, Long> events,
            java.util.List<org.vigil.core.internal.stats.LinkStats.Line> links) {
        return new org.vigil.core.internal.stats.NodeStats(events, locals.groupCounters(), locals.times().lines(), links);
    }

    /** @return the installed resource types by identifier */
    public Map<String, ResourceType> types() {
        return types.copy();
    }

    /** @param t a resource type that appeared (called from DS threads) */
    public void typeAdded(ResourceType t) {
        types.added(t);
    }

    /** @param t a resource type that is going away (called from DS threads) */
    public void typeRemoved(ResourceType t) {
        types.removed(t);
    }

    // ---- the loop ----

    private void loop() {
        while (running) {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("engine tick failed; continuing", e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
        }
    }

    /**
     * Runs one tick on the calling thread: for the deterministic simulation, which never calls {@link #start()}
     * and drives the engine from a single thread with a virtual clock and its own worker executor.
     */
    public void tickOnce() {
        tick();
    }

    private void tick() {
        inbox.runAll();
        long now = clock.getAsLong();
        Quorum q = quorum.quorum();
        boolean othersKnown = q.settings().votes().size() > 1 || !members.peers(now).isEmpty();
        LongUnaryOperator silence = heartbeatSilence;
        // A pause matters only if this node's heartbeats stopped too: then the others may have lost it.
        boolean heartbeatsStopped = silence == null || silence.applyAsLong(now) > members.deadTimeMillis();
        long settleMillis = gate.settleMillis();
        long paused = q.tick(now, members.deadTimeMillis(), settleMillis, othersKnown && heartbeatsStopped);
        if (paused > 0) {
            alerts.raise(Severity.CRITICAL, "node-paused", node, "node " + node + " was paused for " + paused
                    + " ms, longer than the dead time (" + members.deadTimeMillis() + " ms): the others may have taken "
                    + "its groups over; it stops its resources now and rejoins after " + settleMillis + " ms");
        }
        MembershipAlerts.evaluate(members, alerts, now);
        ClusterDocument doc = docs.current();
        sync.syncWithDocument(doc);
        operations.checkTimeouts(now);
        publicNetwork.watchPublicNetwork(now);
        String notReady = gate.notReady();
        boolean settled = notReady == null && gate.waitOver(now);
        Map<String, MembershipTracker.PeerView> peers = members.peers(now);
        QuorumView qv = quorum.evaluateQuorum(now, peers, settled);
        boolean reported = quorum.reportedQuorate(qv, now); // first: it tracks quorateSince on every tick
        boolean startable = settled && reported;
        Snapshot snap = publisher.snapshot(now, startable, doc, peers, qv);
        handovers.observe(snap);
        Decision decision = Policy.decide(snap);
        locals.inPlace().afterDecision(decision, node, locals::runsHere);
        placements.log(decision);
        for (Action a : decision.actions()) {
            operations.dispatch(handovers.confirm(a, snap), now);
        }
        fences.checkSelfFencing(now, qv);
        publisher.publish(snap, decision, settled, gate.notReady());
    }

    // ---- fencing, for paths and the admin ----

    /**
     * Obeys a fence request that arrived on a heartbeat path (an authenticated poison pill, or the path's
     * self-fencing rule): bans every group from this node at once, so the policy stops each one here in
     * reverse order and starts none, until {@code vigil:cleanup} of the group or a restart. Thread-safe;
     * called again with the same request it only reports progress.
     *
     * @param from   the requesting node (this node for self-fencing)
     * @param reason the request, as the path describes it
     * @return true once no resource is active, probing or busy on this node
     */
    public boolean fenceRequested(String from, String reason) {
        return fences.fenceRequested(from, reason);
    }

    /**
     * Fences a node now, on the admin's request (no fence delay). A NODE_OFF result is a proof that the
     * node is down until it is heard again.
     *
     * @param target the node
     * @param action what to do
     * @return the result, once the devices answered
     */
    public CompletableFuture<FenceResult> fenceNow(String target, FenceAction action) {
        return fences.fenceNow(target, action);
    }

    /**
     * The admin vouches that a node is down (powered off, cut off): the Pacemaker
     * {@code stonith_admin --confirm} equivalent. Refused for a node that is online.
     *
     * @param target the node
     * @return a message for the admin; fails with IllegalArgumentException when the node is online
     */
    public CompletableFuture<String> confirmDown(String target) {
        return fences.confirmDown(target);
    }

    /** @return each node's last automatic fencing result, for the status */
    public Map<String, String> fenceResults() {
        return fences.fenceResults();
    }

    // ---- shutdown ----

    /**
     * Stops the engine thread, then stops every active local resource, groups in reverse order and each
     * group's resources in reverse order, so peers can take over; bounded by the resources' stop timeouts.
     *
     * @param publishLeaving called with each new report while stopping, and with the final "leaving" one
     */
    public void shutdown(Consumer<WireReport> publishLeaving) {
        running = false;
        Thread t = inbox.thread();
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        inbox.runAll();
        operations.finishUnderway();
        ClusterDocument doc = docs.current();
        operations.stopAll(doc,
                () -> publishLeaving.accept(new WireReport(sync.ownReport(doc, false), doc.digest(), false)));
        publishLeaving.accept(new WireReport(sync.ownReport(doc, false), doc.digest(), true));
    }
}
