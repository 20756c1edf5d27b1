package org.vigil.core.internal.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.alert.Severity;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.api.resource.ResultCode;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.model.Text;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.LocalResource;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.Policy;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.policy.Snapshot;

/**
 * The executor beside the pure {@link Policy}: one engine thread owns all local resource state. Each
 * tick it evaluates membership, takes a {@link Snapshot}, asks the policy, and hands the resulting
 * operations to worker threads, each guarded by a timeout; results come back to the engine thread
 * through its inbox. Plug-in calls never run on the engine thread, so a hung agent cannot stall
 * membership or other groups.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final long TICK_MILLIS = 25;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    /** Times an operation may take beyond its deadline before the engine declares it timed out. */
    private static final long TIMEOUT_GRACE_MILLIS = 200;
    /** How long after a failed fence request it is tried again. */
    static final long FENCE_RETRY_MILLIS = 5_000;
    /** The time budget of one tie-breaker request. */
    static final long TIE_TIMEOUT_MILLIS = 3_000;

    private volatile Quorum quorum;
    private volatile Fencing fencing;
    private volatile java.util.function.Supplier<TieBreaker> tieBreaker = () -> null;
    private volatile long fenceDelayMillis;
    /** What proves a lost node is down, by node (written on the engine thread only). */
    private final Map<String, Proof> proofs = new ConcurrentHashMap<>();

    // Engine thread only (quorum and fencing).
    private QuorumView lastQuorum = QuorumView.NOT_CONFIGURED;
    private Set<String> hears = Set.of();
    private long quorumLostAt = -1;
    private long quorateSince = -1;
    private boolean lateAlerted;
    private boolean tieInFlight;
    private final Map<String, FenceState> fenceStates = new HashMap<>();

    /** This node's public network watch, or null when it watches nothing. */
    private volatile PublicNetworkWatch publicWatch;
    // Engine thread only (public network).
    private boolean publicInFlight;
    /** When each peer's public network was last seen coming back, on this node's clock: failback counts from then. */
    private final Map<String, Long> peerPublicBack = new HashMap<>();
    private final Map<String, Boolean> peerPublicLost = new HashMap<>();
    private final Map<String, Long> peerPublicLostAt = new HashMap<>();

    /** A proof that a node runs nothing: valid while it is not heard again in that incarnation. */
    private record Proof(long incarnation, long at, String text) {
    }

    /** Automatic fencing of one node. */
    private static final class FenceState {
        Future<?> future;
        long deadline;
        long lastFailedAt;
        String last = "";
    }

    private final String node;
    private final Path stateDir;
    private final LongSupplier clock;
    private final DocumentStore docs;
    private final MembershipTracker members;
    private final ProcessRegistry processes;
    private final Alerts alerts;
    private final ExecutorService workers;
    private final Runnable reportChanged;
    private final long startedAt;
    private volatile long settleMillis;
    private volatile String notReadyReason;
    private volatile java.util.function.Supplier<String> readinessCheck = () -> null;
    /** The fence request this node obeys (from a path: a poison pill, or self-fencing), or null. */
    private volatile String fencedBy;
    /** Fence requests the admin cleared with vigil:cleanup: repeated by a transport, they do not fence again. */
    private final Set<String> clearedFences = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Published each tick: no local resource is active, probing or busy. */
    private volatile boolean quiet;

    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final Map<String, ResourceType> types = new ConcurrentHashMap<>();
    /** Each installed type's description, read once when it arrives (the tick must not call agents). */
    private final Map<ResourceType, ResourceTypeDescription> descriptions = new ConcurrentHashMap<>();

    // Engine thread only.
    private final Map<String, Local> local = new TreeMap<>();
    private final Map<String, GroupLocal> groupState = new HashMap<>();
    private final InPlaceRestarts inPlace = new InPlaceRestarts();
    private Map<String, Decision.Placement> lastPlacements = Map.of();
    private boolean clusterMaintenance;
    private ClusterDocument digestOf;
    private String digest = "";
    private final Deque<String> recentFailures = new ArrayDeque<>();

    private volatile Thread thread;
    private volatile boolean running;
    private volatile WireReport report;
    private volatile EngineStatus status;

    /** One resource on this node. */
    private static final class Local {
        final String name;
        ResourceDef def;
        String group;
        ResourceState state;
        long lastMonitor;
        String message = "";
        boolean degraded;
        ResourceHandler handler;
        ResourceDef handlerDef;
        ResourceType handlerType;
        InFlight op;

        Local(String name) {
            this.name = name;
        }
    }

    /** One group's failure history on this node. */
    private static final class GroupLocal {
        final Deque<Long> failures = new ArrayDeque<>();
        String banned; // reason, or null
        long cleanupSeen = -1;
        String lastNote = "";
        boolean maintenance;
    }

    private record InFlight(Action action, OpContext ctx, Future<?> future) {
    }

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
        this.stateDir = stateDir;
        this.clock = clock;
        this.docs = docs;
        this.members = members;
        this.processes = processes;
        this.alerts = alerts;
        this.workers = workers;
        this.settleMillis = settleMillis;
        this.reportChanged = reportChanged;
        this.startedAt = clock.getAsLong();
        this.report = new WireReport(new NodeReport(0, Set.of(), false, Map.of()), "", false);
        this.quorum = new Quorum(node);
        this.fencing = new Fencing(clock);
    }

    /** @param q this node's quorum state machine (default: quorum not configured) */
    public void setQuorum(Quorum q) {
        this.quorum = Objects.requireNonNull(q);
    }

    /** @return this node's quorum state machine */
    public Quorum quorum() {
        return quorum;
    }

    /** @param f this node's fence devices and agents */
    public void setFencing(Fencing f) {
        this.fencing = Objects.requireNonNull(f);
    }

    /** @return this node's fence devices and agents */
    public Fencing fencing() {
        return fencing;
    }

    /** @param t supplies the configured tie-breaker, or null when it is not installed */
    public void setTieBreaker(java.util.function.Supplier<TieBreaker> t) {
        this.tieBreaker = Objects.requireNonNull(t);
    }

    private volatile java.util.function.LongUnaryOperator heartbeatSilence;
    private volatile java.util.function.LongSupplier listeningSince = () -> Long.MIN_VALUE;

    /**
     * @param silence given the monotonic time, the longest silence of this node's outgoing heartbeats since the
     *                last call (null: unknown, every long gap between ticks counts as a pause)
     */
    public void setHeartbeatSilence(java.util.function.LongUnaryOperator silence) {
        this.heartbeatSilence = silence;
    }

    /**
     * @param since when this node's first heartbeat path opened (monotonic ms; Long.MIN_VALUE while none has): the
     *              start-up wait runs from then too, since peers count only once heard and they answered this
     *              node's challenge ({@link HeartbeatIo#listeningSince})
     */
    public void setListeningSince(java.util.function.LongSupplier since) {
        this.listeningSince = since;
    }

    /** @param millis how long this node waits before it fences a lost peer (fence races in two-node clusters) */
    public void setFenceDelay(long millis) {
        this.fenceDelayMillis = Math.max(0, millis);
    }

    /** @param w this node's public network watch, or null to watch nothing */
    public void setPublicWatch(PublicNetworkWatch w) {
        this.publicWatch = w;
    }

    /** @return this node's public network watch, or null */
    public PublicNetworkWatch publicWatch() {
        return publicWatch;
    }

    /** @param reason why this node must not run anything (no cluster key, ...), or null when ready */
    public void setNotReady(String reason) {
        this.notReadyReason = reason;
    }

    /** @param check why this node must not start anything right now (no open heartbeat path, ...), or null */
    public void setReadinessCheck(java.util.function.Supplier<String> check) {
        this.readinessCheck = check;
    }

    private String notReady() {
        String r = notReadyReason;
        return r != null ? r : readinessCheck.get();
    }

    /** @param millis the start-up wait */
    public void setSettleMillis(long millis) {
        this.settleMillis = millis;
    }

    /** Starts the engine thread. */
    public synchronized void start() {
        running = true;
        Thread t = new Thread(this::loop, "vigil-engine[" + node + "]");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY - 1);
        thread = t;
        t.start();
    }

    /** Wakes the engine thread now (new frame, new document, command). */
    public void wakeup() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** @param task work to run on the engine thread */
    public void submit(Runnable task) {
        inbox.add(task);
        wakeup();
    }

    /** @return the latest report for heartbeats */
    public WireReport report() {
        return report;
    }

    /** @return the latest status for the shell */
    public EngineStatus status() {
        return status;
    }

    /** @return the installed resource types by identifier */
    public Map<String, ResourceType> types() {
        return Map.copyOf(types);
    }

    // ---- resource types come and go (called from DS threads) ----

    /** @param t a resource type that appeared */
    public void typeAdded(ResourceType t) {
        ResourceTypeDescription d = describe(t);
        if (d == null) {
            return;
        }
        descriptions.put(t, d);
        types.put(d.type(), t);
        submit(() -> {
            List<String> readopt = new ArrayList<>();
            for (Local l : local.values()) {
                if (l.def != null && l.def.type().equals(d.type()) && l.op == null) {
                    l.handler = null;
                    if (l.state == ResourceState.UNMANAGED || l.state == ResourceState.STOPPED) {
                        if (l.state == ResourceState.UNMANAGED) {
                            readopt.add(l.name);
                        }
                        l.state = ResourceState.UNKNOWN;
                    }
                }
            }
            LOG.info("resource type '{}' is available", d.type());
            if (!readopt.isEmpty()) {
                alerts.raise(Severity.INFO, "type-returned", d.type(), "resource type " + d.type()
                        + " is back; probing " + String.join(", ", readopt) + " to re-adopt them");
            }
        });
    }

    /** @param t a resource type that is going away */
    public void typeRemoved(ResourceType t) {
        String id = null;
        for (Map.Entry<String, ResourceType> e : types.entrySet()) {
            if (e.getValue() == t) {
                id = e.getKey();
            }
        }
        if (id == null) {
            return;
        }
        types.remove(id, t);
        descriptions.remove(t);
        String type = id;
        submit(() -> {
            List<String> unmanaged = new ArrayList<>();
            for (Local l : local.values()) {
                if (l.def != null && l.def.type().equals(type)) {
                    l.handler = null;
                    if (l.state.isActive()) {
                        l.state = ResourceState.UNMANAGED;
                        unmanaged.add(l.name);
                    }
                }
            }
            if (unmanaged.isEmpty()) {
                LOG.info("resource type '{}' was removed", type);
            } else {
                alerts.raise(Severity.WARNING, "type-removed", type, "resource type " + type + " was removed; "
                        + String.join(", ", unmanaged) + " keep running unmanaged until it returns");
            }
        });
    }

    private static ResourceTypeDescription describe(ResourceType t) {
        try {
            return Objects.requireNonNull(t.describe(), "describe() returned null");
        } catch (RuntimeException | LinkageError e) {
            LOG.error("resource type {} cannot describe itself and is ignored: {}", t.getClass().getName(), e.toString());
            return null;
        }
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
        Runnable task;
        while ((task = inbox.poll()) != null) {
            task.run();
        }
        long now = clock.getAsLong();
        boolean othersKnown = quorum.settings().votes().size() > 1 || !members.peers(now).isEmpty();
        java.util.function.LongUnaryOperator silence = heartbeatSilence;
        // A pause matters only if this node's heartbeats stopped too: then the others may have lost it.
        boolean heartbeatsStopped = silence == null || silence.applyAsLong(now) > members.deadTimeMillis();
        long paused = quorum.tick(now, members.deadTimeMillis(), settleMillis, othersKnown && heartbeatsStopped);
        if (paused > 0) {
            alerts.raise(Severity.CRITICAL, "node-paused", node, "node " + node + " was paused for " + paused
                    + " ms, longer than the dead time (" + members.deadTimeMillis() + " ms): the others may have taken "
                    + "its groups over; it stops its resources now and rejoins after " + settleMillis + " ms");
        }
        for (MembershipTracker.Transition t : members.evaluate(now)) {
            Severity sev = t.to() == Membership.LOST ? Severity.CRITICAL : Severity.INFO;
            if (t.to() == Membership.SUSPECT) {
                LOG.info("node {} is suspect: {}", t.node(), t.detail());
            } else {
                alerts.raise(sev, t.to() == Membership.LOST ? "node-lost" : "node-" + t.to().name().toLowerCase(),
                        t.node(), "node " + t.node() + " is " + t.to().name().toLowerCase() + ": " + t.detail());
            }
        }
        for (MembershipTracker.PathTransition t : members.pathTransitions(now)) {
            alerts.raise(t.up() ? Severity.INFO : Severity.WARNING, t.up() ? "path-up" : "path-down", t.node() + "/" + t.path(),
                    "heartbeat path " + t.path() + " to " + t.node() + (t.up() ? " is back"
                            : " is down: " + t.node() + " is still heard on other paths (degraded, no failover)"));
        }
        ClusterDocument doc = docs.current();
        syncWithDocument(doc);
        checkTimeouts(now);
        watchPublicNetwork(now);
        String notReady = notReady();
        boolean settled = notReady == null && now - Math.max(startedAt, listeningSince.getAsLong()) >= settleMillis;
        Map<String, MembershipTracker.PeerView> peers = members.peers(now);
        QuorumView qv = evaluateQuorum(now, peers, settled);
        if (!qv.has()) {
            quorateSince = -1;
        } else if (quorateSince < 0) {
            quorateSince = now;
        }
        // A node that has just gained quorum starts nothing until its report saying so has reached its peers:
        // until then they do not count it as a candidate and may place its groups on themselves.
        boolean startable = settled && (!qv.configured() || now - quorateSince >= 2 * members.intervalMillis());
        Snapshot snap = snapshot(now, startable, doc, peers, qv);
        Decision decision = Policy.decide(snap);
        inPlace.afterDecision(decision, node, this::runsHere);
        logPlacements(decision);
        for (Action a : decision.actions()) {
            dispatch(a, now);
        }
        checkSelfFencing(now, qv);
        publish(snap, decision, settled);
    }

    // ---- public network ----

    /** Starts a check of the public network on a worker thread when one is due; its result comes back here. */
    private void watchPublicNetwork(long now) {
        PublicNetworkWatch w = publicWatch;
        if (w == null || publicInFlight || !w.startIfDue(now)) {
            return;
        }
        publicInFlight = true;
        try {
            workers.submit(() -> {
                PublicNetworkWatch.Check c;
                try {
                    c = w.check();
                } catch (RuntimeException | LinkageError e) {
                    c = new PublicNetworkWatch.Check(false, "the check failed: " + e);
                }
                PublicNetworkWatch.Check result = c;
                submit(() -> {
                    publicInFlight = false;
                    if (w != publicWatch) {
                        return; // reconfigured meanwhile
                    }
                    PublicNetworkWatch.Change ch = w.observe(result, clock.getAsLong());
                    if (ch != null && ch.now().lost()) {
                        alerts.raise(Severity.CRITICAL, "public-lost", node, "node " + node + " lost its public network ("
                                + ch.now().detail() + "): while another node has its own, no group is placed here and "
                                + "the groups running here fail over");
                    } else if (ch != null) {
                        alerts.raise(Severity.INFO, "public-ok", node, "the public network of node " + node + " is back ("
                                + ch.now().detail() + "): it is eligible again (with manual failback nothing moves back)");
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            publicInFlight = false;
        }
    }

    /** @return when the node became eligible for failback: it joined, or its public network came back (seen here) */
    private long eligibleSince(String name, long onlineSince, NodeReport report, long now) {
        boolean lost = report.publicNetwork().lost();
        Boolean was = peerPublicLost.put(name, lost);
        if (was != null && was && !lost) {
            peerPublicBack.put(name, now);
        }
        if (lost && (was == null || !was)) {
            peerPublicLostAt.put(name, now);
        }
        Long back = peerPublicBack.get(name);
        return back == null ? onlineSince : Math.max(onlineSince, back);
    }

    // ---- quorum, self-fencing, fencing ----

    private QuorumView evaluateQuorum(long now, Map<String, MembershipTracker.PeerView> peers, boolean settled) {
        Set<String> side = new java.util.TreeSet<>();
        side.add(node);
        Set<String> heard = new java.util.TreeSet<>();
        Set<String> knownDown = new java.util.TreeSet<>();
        for (MembershipTracker.PeerView p : peers.values()) {
            if (p.name().equals(node)) {
                continue;
            }
            if (p.membership().isUp()) {
                heard.add(p.name());
                Set<String> theirs = p.report().hears();
                // A peer that joined within the dead time may not have heard this node yet: it counts. One that
                // has been up longer and still does not list this node cannot hear it (a one-way cut): it does not.
                boolean joining = now - p.onlineSince() < members.deadTimeMillis();
                if (theirs == null || theirs.contains(node) || joining) {
                    side.add(p.name());
                }
            } else if (p.membership() == Membership.LOST && proof(p) != null) {
                knownDown.add(p.name());
            }
        }
        proofs.forEach((n, pr) -> {
            if (!peers.containsKey(n)) {
                knownDown.add(n); // never heard since this node started, confirmed down by the admin
            }
        });
        hears = heard;
        QuorumView qv = quorum.evaluate(now, side, knownDown);
        if (quorum.wantsTieBreak(now) && !tieInFlight) {
            askTieBreaker();
        }
        if (settled && qv.has() != lastQuorum.has()) {
            if (qv.has()) {
                alerts.raise(Severity.INFO, "quorum-regained", node, "node " + node + " has quorum: " + qv.detail());
            } else {
                alerts.raise(Severity.CRITICAL, "quorum-lost", node, "node " + node + " has lost quorum (" + qv.detail()
                        + "): it stops every resource here" + (qv.lossStopMillis() > 0 ? " within "
                        + qv.lossStopMillis() + " ms (quorum.loss.stop.ms)" : ""));
            }
        }
        lastQuorum = qv;
        return qv;
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
                submit(() -> {
                    tieInFlight = false;
                    quorum.tieAnswer(answer, clock.getAsLong());
                });
            });
        } catch (RejectedExecutionException e) {
            tieInFlight = false;
        }
    }

    private void checkSelfFencing(long now, QuorumView qv) {
        if (qv.has()) {
            quorumLostAt = -1;
            lateAlerted = false;
            return;
        }
        if (quorumLostAt < 0) {
            quorumLostAt = now;
        }
        if (qv.lossStopMillis() > 0 && !lateAlerted && now - quorumLostAt > qv.lossStopMillis()) {
            List<String> still = local.values().stream().filter(l -> l.state.isActive() && l.state != ResourceState.UNKNOWN)
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

    private String proof(MembershipTracker.PeerView p) {
        if (p.left()) {
            return "left the cluster cleanly";
        }
        Proof pr = proofs.get(p.name());
        if (pr != null && pr.incarnation() == p.incarnation() && p.lastHeard() <= pr.at()) {
            return pr.text();
        }
        return members.gone(p); // known down, not fenced: its machine may still hold what is in the kernel
    }

    /** For agents (any thread): fenced or confirmed down by the admin, and not heard since. */
    private boolean knownFenced(String other) {
        Proof pr = proofs.get(other);
        if (pr == null || other.equals(node)) {
            return false;
        }
        MembershipTracker.PeerView p = members.peers(clock.getAsLong()).get(other);
        return p == null ? pr.incarnation() == 0 : !p.membership().isUp() && pr.incarnation() == p.incarnation()
                && p.lastHeard() <= pr.at();
    }

    private void fence(Action.Fence f, long now) {
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
                submit(() -> fenceDone(f.node(), inc, r));
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
            proofs.put(target, new Proof(incarnation, now, "fenced (" + r.message() + ")"));
            alerts.raise(Severity.CRITICAL, "fenced", target, "node " + target + " was fenced (" + r.message()
                    + "): its groups may start elsewhere");
        } else {
            st.lastFailedAt = now;
            alerts.raise(Severity.CRITICAL, "fence-failed", target, "fencing " + target + " failed (" + r.message()
                    + "): its groups stay blocked until fencing succeeds or the admin runs vigil:fence-confirm " + target
                    + "; retrying every " + FENCE_RETRY_MILLIS / 1000 + " s");
        }
        wakeup();
    }

    /**
     * Fences a node now, on the admin's request (no fence delay). A NODE_OFF result is a proof that the
     * node is down until it is heard again.
     *
     * @param target the node
     * @param action what to do
     * @return the result, once the devices answered
     */
    public java.util.concurrent.CompletableFuture<FenceResult> fenceNow(String target, FenceAction action) {
        java.util.concurrent.CompletableFuture<FenceResult> out = new java.util.concurrent.CompletableFuture<>();
        MembershipTracker.PeerView p = members.peers(clock.getAsLong()).get(target);
        long inc = p == null ? 0 : p.incarnation();
        workers.submit(() -> {
            FenceResult r = fencing.fence(target, action);
            if (action != FenceAction.STATUS && r.outcome() == FenceResult.Outcome.NODE_OFF) {
                submit(() -> {
                    proofs.put(target, new Proof(inc, clock.getAsLong(), "fenced by the admin (" + r.message() + ")"));
                    alerts.raise(Severity.CRITICAL, "fenced", target, "node " + target + " was fenced by the admin ("
                            + r.message() + ")");
                });
            }
            out.complete(r);
        });
        return out;
    }

    /**
     * The admin vouches that a node is down (powered off, cut off): the Pacemaker
     * {@code stonith_admin --confirm} equivalent. Refused for a node that is online.
     *
     * @param target the node
     * @return a message for the admin; fails with IllegalArgumentException when the node is online
     */
    public java.util.concurrent.CompletableFuture<String> confirmDown(String target) {
        java.util.concurrent.CompletableFuture<String> out = new java.util.concurrent.CompletableFuture<>();
        submit(() -> {
            long now = clock.getAsLong();
            MembershipTracker.PeerView p = members.peers(now).get(target);
            if (target.equals(node)) {
                out.completeExceptionally(new IllegalArgumentException("node " + target + " is this node"));
            } else if (p != null && p.membership().isUp()) {
                out.completeExceptionally(new IllegalArgumentException("node " + target + " is online (heard "
                        + Math.max(0, now - p.lastHeard()) + " ms ago): it is not down"));
            } else {
                proofs.put(target, new Proof(p == null ? 0 : p.incarnation(), now, "confirmed down by the admin"));
                alerts.raise(Severity.WARNING, "fence-confirmed", target, "the admin confirmed that node " + target
                        + " is down: its groups may start elsewhere");
                out.complete("node " + target + " is taken as down until it is heard again");
            }
        });
        return out;
    }

    /** @return each node's last automatic fencing result, for the status */
    public Map<String, String> fenceResults() {
        return fenceSummary;
    }

    private volatile Map<String, String> fenceSummary = Map.of();

    private void syncWithDocument(ClusterDocument doc) {
        Set<String> defined = new HashSet<>();
        boolean clusterLeft = clusterMaintenance && !doc.maintenance();
        clusterMaintenance = doc.maintenance();
        for (GroupDef g : doc.groups()) {
            GroupLocal gl = groupState.computeIfAbsent(g.name(), k -> new GroupLocal());
            String fence = fencedBy;
            if (fence != null && gl.banned == null && gl.cleanupSeen < 0) { // a group that appeared while fenced
                gl.banned = fence;
            }
            boolean left = clusterLeft || (gl.maintenance && !g.maintenance());
            gl.maintenance = g.maintenance();
            if (left) {
                // Vigil took no action while in maintenance: the admin may have changed anything; look again.
                for (ResourceDef r : g.resources()) {
                    Local l = local.get(r.name());
                    if (l != null && l.op == null && types.containsKey(r.type()) && l.state != ResourceState.STOP_FAILED) {
                        l.state = ResourceState.UNKNOWN;
                    }
                }
            }
            if (gl.cleanupSeen < 0) {
                gl.cleanupSeen = g.cleanup();
            } else if (g.cleanup() > gl.cleanupSeen) {
                gl.cleanupSeen = g.cleanup();
                if (fence != null) {
                    clearedFences.add(fence);
                    fencedBy = null;
                    alerts.raise(Severity.INFO, "fence-cleared", node, "vigil:cleanup " + g.name() + ": " + node
                            + " no longer obeys '" + fence + "'; groups still banned by it need their own vigil:cleanup");
                }
                gl.failures.clear();
                gl.banned = null;
                gl.lastNote = "";
                for (ResourceDef r : g.resources()) {
                    Local l = local.get(r.name());
                    if (l != null && l.state == ResourceState.STOP_FAILED && l.op == null) {
                        l.state = ResourceState.UNKNOWN;
                    }
                }
                alerts.raise(Severity.INFO, "cleanup", g.name(), "failures of group " + g.name() + " cleared on " + node);
            }
            for (ResourceDef r : g.resources()) {
                defined.add(r.name());
                Local l = local.get(r.name());
                if (l == null) {
                    l = new Local(r.name());
                    l.state = types.containsKey(r.type()) ? ResourceState.UNKNOWN : ResourceState.STOPPED;
                    local.put(r.name(), l);
                }
                if (l.def != null && !l.def.type().equals(r.type()) && l.op == null) {
                    l.handler = null;
                    l.state = l.state.isActive() ? l.state : ResourceState.UNKNOWN;
                }
                l.def = r;
                l.group = g.name();
            }
        }
        groupState.keySet().retainAll(doc.groups().stream().map(GroupDef::name).toList());
        // Orphans that are stopped are forgotten; active ones stay until stopped.
        local.values().removeIf(l -> !defined.contains(l.name) && !l.state.isActive() && l.op == null);
    }

    private Snapshot snapshot(long now, boolean settled, ClusterDocument doc, Map<String, MembershipTracker.PeerView> peers,
            QuorumView qv) {
        Map<String, LocalResource> lr = new HashMap<>();
        Set<String> busy = new HashSet<>();
        for (Local l : local.values()) {
            boolean installed = l.def != null && types.containsKey(l.def.type());
            lr.put(l.name, new LocalResource(l.name, l.state, l.lastMonitor, monitorInterval(l), installed));
            if (l.op != null) {
                busy.add(l.name);
            }
        }
        Map<String, NodeView> nodes = new LinkedHashMap<>();
        NodeReport own = ownReport(doc, settled);
        PublicNetworkWatch pw = publicWatch;
        nodes.put(node, new NodeView(node, Membership.ONLINE, pw == null ? startedAt : Math.max(startedAt, pw.okSince()), own,
                null, pw == null ? Long.MIN_VALUE / 2 : pw.lostSince()));
        peers.forEach((name, p) -> {
            if (!name.equals(node)) {
                // While this node had no quorum, the lost node may have had it (this node was the minority):
                // its self-fencing bound runs only from when this node has quorum again.
                NodeView.Loss loss = p.membership() == Membership.LOST
                        ? new NodeView.Loss(Math.max(p.lostSince(), qv.configured() ? quorateSince : Long.MIN_VALUE),
                                proof(p), fencing.hasDevice(name)) : null;
                long since = eligibleSince(name, p.onlineSince(), p.report(), now);
                nodes.put(name, new NodeView(name, p.membership(), since, p.report(), loss,
                        peerPublicLostAt.getOrDefault(name, Long.MIN_VALUE / 2)));
            }
        });
        if (qv.configured()) {
            // A member not heard since this node started may run anything (it may be frozen or cut off with what
            // it ran): to the policy it is a node lost when this node started, waited out like any lost node.
            for (String m : quorum.settings().votes().keySet()) {
                MembershipTracker.PeerView p = peers.get(m);
                if (!m.equals(node) && (p == null || p.membership() == Membership.UNKNOWN)) {
                    Proof pr = proofs.get(m);
                    nodes.put(m, new NodeView(m, Membership.LOST, startedAt, NodeReport.NONE,
                            new NodeView.Loss(Math.max(startedAt, quorateSince), pr == null ? null : pr.text(),
                                    fencing.hasDevice(m))));
                }
            }
        }
        Map<String, String> fs = new TreeMap<>();
        fenceStates.forEach((n, st) -> fs.put(n, st.future != null ? "fencing under way" : st.last));
        fenceSummary = Map.copyOf(fs);
        return new Snapshot(node, now, settled, doc, nodes, lr, busy, qv, restarting(doc));
    }

    /** @return the groups restarting in place here (held by {@link InPlaceRestarts} until they run whole again) */
    private Set<String> restarting(ClusterDocument doc) {
        Set<String> out = new HashSet<>();
        for (GroupDef g : doc.groups()) {
            if (inPlace.holds(g.name())) {
                out.add(g.name());
            }
        }
        return out;
    }

    private NodeReport ownReport(ClusterDocument doc, boolean settled) {
        Map<String, GroupReport> groups = new TreeMap<>();
        for (GroupDef g : doc.groups()) {
            Map<String, ResourceState> active = new TreeMap<>();
            for (ResourceDef r : g.resources()) {
                Local l = local.get(r.name());
                if (l != null && l.state.isActive()) {
                    active.put(r.name(), l.state);
                }
            }
            GroupLocal gl = groupState.get(g.name());
            boolean banned = gl != null && gl.banned != null;
            String note = gl == null ? "" : banned ? gl.banned : gl.lastNote;
            boolean restarting = !banned && inPlace.holds(g.name());
            if (!active.isEmpty() || banned || !note.isEmpty() || restarting) {
                groups.put(g.name(), new GroupReport(active, banned, note, restarting));
            }
        }
        QuorumView q = lastQuorum;
        PublicNetworkWatch pw = publicWatch;
        return new NodeReport(doc.version(), types.keySet(), settled, groups, q.has(), q.lossStopMillis(), hears,
                pw == null ? PublicNetwork.NOT_WATCHED : pw.state());
    }

    private long monitorInterval(Local l) {
        ResourceType t = l.def == null ? null : types.get(l.def.type());
        ResourceTypeDescription d = t == null ? null : descriptions.get(t);
        return d == null ? 5000 : Math.max(100, d.monitorInterval().toMillis());
    }

    private void logPlacements(Decision d) {
        if (!d.placements().equals(lastPlacements)) {
            d.placements().forEach((g, p) -> {
                if (!p.equals(lastPlacements.get(g))) {
                    LOG.info("group {}: {}", g, p.reason());
                }
            });
            lastPlacements = d.placements();
        }
    }

    // ---- carrying out actions ----

    private void dispatch(Action a, long now) {
        if (a instanceof Action.ClearMove cm) {
            clearMove(cm);
            return;
        }
        if (a instanceof Action.Fence f) {
            fence(f, now);
            return;
        }
        Local l = local.get(a.resource());
        if (l == null || l.op != null || l.def == null) {
            return;
        }
        ResourceType type = types.get(l.def.type());
        if (type == null) {
            return;
        }
        ResourceTypeDescription d = descriptions.get(type);
        if (d == null) {
            return;
        }
        Duration timeout = a instanceof Action.Start ? d.startTimeout()
                : isStop(a) ? d.stopTimeout() : d.monitorTimeout();
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            timeout = DEFAULT_TIMEOUT;
        }
        ResourceHandler handler;
        try {
            handler = handler(l, type, d);
        } catch (RuntimeException | LinkageError e) {
            complete(l, null, a, OperationResult.failed("cannot create a handler: " + e), clock.getAsLong());
            return;
        }
        OpContext ctx = new OpContext(timeout.toMillis(), clock);
        if (a instanceof Action.Start) {
            l.state = ResourceState.STARTING;
            LOG.info("starting {} (group {})", l.name, l.group);
        } else if (a instanceof Action.Stop || a instanceof Action.StopOrphan) {
            l.state = ResourceState.STOPPING;
            LOG.info("stopping {} (group {})", l.name, l.group);
        }
        Local target = l;
        ResourceHandler h = handler;
        try {
            InFlight[] self = new InFlight[1];
            long dispatchedAt = clock.getAsLong();
            Future<?> f = workers.submit(() -> {
                if (a instanceof Action.Start && clock.getAsLong() - dispatchedAt > members.deadTimeMillis()) {
                    // Handed over before a pause of this node: the others may have taken the group over meanwhile.
                    submit(() -> {
                        if (target.op != null && target.op == self[0]) {
                            target.op = null;
                            target.state = ResourceState.STOPPED;
                            LOG.warn("not starting {}: the start was due before this node was paused", target.name);
                        }
                    });
                    return;
                }
                OperationResult r = call(h, a, ctx, target.name);
                submit(() -> {
                    if (target.op != null && target.op == self[0]) {
                        complete(target, target.op, a, r, clock.getAsLong());
                    }
                });
            });
            // Completions run on this (the engine) thread, so l.op is set before any completion is applied.
            self[0] = new InFlight(a, ctx, f);
            l.op = self[0];
        } catch (RejectedExecutionException e) {
            complete(l, null, a, OperationResult.failed("no worker thread free (too many operations under way)"),
                    clock.getAsLong());
        }
    }

    private ResourceHandler handler(Local l, ResourceType type, ResourceTypeDescription d) {
        if (l.handler != null && l.handlerType == type && l.def.equals(l.handlerDef)) {
            return l.handler;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (ParameterDescription p : d.parameters()) {
            if (p.defaultValue() != null) {
                params.put(p.name(), p.defaultValue());
            }
        }
        params.putAll(l.def.params());
        ResourceContextImpl ctx = new ResourceContextImpl(l.name, l.group == null ? "" : l.group, node, params,
                stateDir.resolve("resources").resolve(l.name), processes, this::knownFenced);
        l.handler = Objects.requireNonNull(type.createHandler(ctx), "createHandler returned null");
        l.handlerType = type;
        l.handlerDef = l.def;
        return l.handler;
    }

    private static OperationResult call(ResourceHandler h, Action a, OpContext ctx, String name) {
        try {
            OperationResult r = a instanceof Action.Start ? h.start(ctx) : isStop(a) ? h.stop(ctx) : h.monitor(ctx);
            return r == null ? OperationResult.failed("the agent returned no result") : r;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("agent of {} threw during {}", name, a.render(), e);
            return OperationResult.failed("the agent threw " + e);
        }
    }

    private static boolean isStop(Action a) {
        return a instanceof Action.Stop || a instanceof Action.StopOrphan;
    }

    private void checkTimeouts(long now) {
        for (Local l : local.values()) {
            InFlight op = l.op;
            if (op != null && now > op.ctx().deadline() + TIMEOUT_GRACE_MILLIS) {
                op.ctx().cancel();
                op.future().cancel(true);
                complete(l, op, op.action(), OperationResult.failed("timed out after "
                        + op.ctx().timeout().toMillis() / 1000.0 + " s"), now);
            }
        }
    }

    private void complete(Local l, InFlight op, Action a, OperationResult r, long now) {
        l.op = null;
        String g = l.group == null ? "" : l.group;
        GroupDef gd = docs.current().group(g).orElse(null);
        boolean typePresent = l.def != null && types.containsKey(l.def.type());
        l.message = r.message();
        if (a instanceof Action.Start) {
                if (r.code().isRunning()) {
                    l.state = ResourceState.RUNNING;
                    l.degraded = r.code() == ResultCode.DEGRADED;
                    l.lastMonitor = now;
                    inPlace.started(l.name);
                    LOG.info("started {} (group {})", l.name, g);
                } else if (launchRetried(l, g, r)) {
                    l.state = ResourceState.FAILED;
                } else {
                    l.state = ResourceState.FAILED;
                    ban(g, "start of " + l.name + " failed: " + r);
                    alerts.raise(Severity.CRITICAL, "start-failed", l.name, "start of " + l.name + " on " + node
                            + " failed (" + r + "); group " + g + " may not run here until vigil:cleanup " + g);
                }
        } else if (isStop(a)) {
            stopped(l, g, r);
        } else if (a instanceof Action.Probe) {
                l.lastMonitor = now;
                switch (r.code()) {
                    case OK, DEGRADED -> {
                        l.state = ResourceState.RUNNING;
                        l.degraded = r.code() == ResultCode.DEGRADED;
                        LOG.info("probe: {} is running here", l.name);
                    }
                    case NOT_RUNNING, NOT_INSTALLED -> l.state = ResourceState.STOPPED;
                    default -> {
                        l.state = ResourceState.FAILED;
                        note(g, "probe of " + l.name + " found it failed: " + r);
                        LOG.warn("probe: {} is failed here: {}", l.name, r);
                    }
                }
        } else if (a instanceof Action.Monitor && l.state == ResourceState.RUNNING) {
                l.lastMonitor = now;
                if (r.code().isRunning()) {
                    l.degraded = r.code() == ResultCode.DEGRADED;
                } else {
                    l.state = ResourceState.FAILED;
                    failed(g, gd, l.name, r, now);
                }
        }
        if (!typePresent && l.state.isActive() && l.state != ResourceState.STOP_FAILED) {
            l.state = ResourceState.UNMANAGED;
        }
        wakeup();
    }

    private void stopped(Local l, String g, OperationResult r) {
        if (r.isOk()) {
            l.state = ResourceState.STOPPED;
            l.degraded = false;
            LOG.info("stopped {} (group {})", l.name, g);
        } else {
            l.state = ResourceState.STOP_FAILED;
            ban(g, "stop of " + l.name + " failed: " + r);
            alerts.raise(Severity.CRITICAL, "stop-failed", l.name, "stop of " + l.name + " on " + node + " failed ("
                    + r + "); group " + g + " is blocked: it may still run here. Make sure it is stopped, then run "
                    + "vigil:cleanup " + g);
        }
    }

    private void failed(String g, GroupDef gd, String resource, OperationResult r, long now) {
        GroupLocal gl = groupState.computeIfAbsent(g, k -> new GroupLocal());
        long window = gd == null ? GroupDef.DEFAULT_RESTART_WINDOW : gd.restartWindowMillis();
        int max = gd == null ? GroupDef.DEFAULT_MAX_RESTARTS : gd.maxRestarts();
        gl.failures.addLast(now);
        while (!gl.failures.isEmpty() && now - gl.failures.peekFirst() > window) {
            gl.failures.removeFirst();
        }
        String what = "monitor of " + resource + " failed (" + r + ")";
        if (gl.failures.size() > max) {
            ban(g, what + "; " + gl.failures.size() + " failures within " + window / 1000 + " s");
            alerts.raise(Severity.CRITICAL, "group-failover", g, what + " on " + node + ": " + gl.failures.size()
                    + " failures within " + window / 1000 + " s exceed max-restarts " + max + "; group " + g
                    + " fails over");
        } else {
            note(g, what);
            inPlace.begin(g);
            alerts.raise(Severity.WARNING, "resource-restart", resource, what + " on " + node + "; restarting in place ("
                    + gl.failures.size() + " of " + max + " within " + window / 1000 + " s)");
        }
    }

    private void ban(String g, String reason) {
        GroupLocal gl = groupState.computeIfAbsent(g, k -> new GroupLocal());
        gl.banned = Text.summary(reason, Text.NOTE_MAX); // it rides in every heartbeat: bounded; the log has it all
        inPlace.release(g);
        remember(g + ": " + gl.banned, "group " + g + " banned here: " + reason);
    }

    /**
     * A start whose program could not be launched at all (a node-local I/O error, such as a JDK upgraded under
     * this JVM) is retried once in place before it bans the group.
     *
     * @return true when the start is retried (the group stays here, not banned)
     */
    private boolean launchRetried(Local l, String g, OperationResult r) {
        String launch = processes.takeLaunchFailure(l.name);
        if (launch == null || !inPlace.retryLaunch(l.name)) {
            return false;
        }
        note(g, "start of " + l.name + " could not launch its program (" + launch + "): retrying once here");
        inPlace.begin(g);
        alerts.raise(Severity.WARNING, "start-retried", l.name, "start of " + l.name + " on " + node
                + " could not launch its program (" + launch + "); retrying once before group " + g + " is banned here");
        return true;
    }

    /** @param g a group; @return true when every resource of it runs here */
    private boolean runsHere(String g) {
        GroupDef gd = docs.current().group(g).orElse(null);
        return gd != null && gd.resources().stream().allMatch(r -> {
            Local l = local.get(r.name());
            return l != null && l.state == ResourceState.RUNNING;
        });
    }

    private void note(String g, String note) {
        GroupLocal gl = groupState.computeIfAbsent(g, k -> new GroupLocal());
        gl.lastNote = Text.summary(note, Text.NOTE_MAX);
        remember(g + ": " + gl.lastNote, "group " + g + ": " + note);
    }

    private void remember(String failure, String full) {
        LOG.warn("{}", Text.escape(full));
        recentFailures.addLast(java.time.Instant.now().toString().substring(0, 19) + " " + failure);
        while (recentFailures.size() > 10) {
            recentFailures.removeFirst();
        }
    }

    private void clearMove(Action.ClearMove cm) {
        try {
            docs.update(d -> {
                GroupDef g = d.group(cm.group()).orElse(null);
                if (g == null || !cm.moveTo().equals(g.moveTo())) {
                    return d.nextWithMaintenance(node, d.maintenance()); // raced with another change: harmless bump
                }
                return d.nextWithGroup(node, cm.group(), x -> x.withRole(x.role(), null));
            });
            LOG.info("switchover of {} to {} is over; request cleared", cm.group(), cm.moveTo());
        } catch (RuntimeException e) {
            LOG.warn("cannot clear the switchover request of {}: {}", cm.group(), e.getMessage());
        }
    }

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
                submit(() -> {
                    for (GroupDef g : docs.current().groups()) {
                        ban(g.name(), request);
                    }
                });
                return false;
            }
        }
        return request.equals(fencedBy) && quiet;
    }

    private void publish(Snapshot snap, Decision decision, boolean settled) {
        quiet = inbox.isEmpty() && local.values().stream().noneMatch(l -> l.state.isActive() || l.op != null);
        ClusterDocument doc = snap.document();
        NodeReport own = snap.nodes().get(node).report();
        if (doc != digestOf) {
            digestOf = doc;
            digest = doc.digest();
        }
        WireReport next = new WireReport(own, digest, false);
        if (!next.equals(report)) {
            report = next;
            reportChanged.run();
        }
        Map<String, EngineStatus.LocalLine> lines = new TreeMap<>();
        for (Local l : local.values()) {
            lines.put(l.name, new EngineStatus.LocalLine(l.name, l.group, l.def == null ? "?" : l.def.type(), l.state,
                    l.degraded, l.message, l.op == null ? null : l.op.action().render()));
        }
        status = new EngineStatus(snap, decision, settled, notReady(), lines, List.copyOf(recentFailures));
    }

    // ---- shutdown ----

    /**
     * Stops the engine thread, then stops every active local resource, groups in reverse order and each
     * group's resources in reverse order, so peers can take over; bounded by the resources' stop timeouts.
     *
     * @param publishLeaving called with each new report while stopping, and with the final "leaving" one
     */
    public void shutdown(java.util.function.Consumer<WireReport> publishLeaving) {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Runnable task;
        while ((task = inbox.poll()) != null) {
            task.run();
        }
        // Let operations under way finish (bounded by their own deadlines).
        for (Local l : local.values()) {
            InFlight op = l.op;
            if (op != null) {
                try {
                    op.future().get(Math.max(0, op.ctx().deadline() - clock.getAsLong()) + 100, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    op.future().cancel(true);
                }
                l.op = null;
                Runnable r;
                while ((r = inbox.poll()) != null) {
                    r.run();
                }
            }
        }
        ClusterDocument doc = docs.current();
        if (doc.maintenance()) {
            LOG.warn("shutting down in maintenance mode: resources are left as they are");
        } else {
            List<GroupDef> groups = new ArrayList<>(doc.groups());
            java.util.Collections.reverse(groups);
            for (GroupDef g : groups) {
                if (g.maintenance()) {
                    continue;
                }
                for (int k = g.resources().size() - 1; k >= 0; k--) {
                    Local l = local.get(g.resources().get(k).name());
                    if (l == null || !(l.state == ResourceState.RUNNING || l.state == ResourceState.FAILED)) {
                        continue;
                    }
                    ResourceType type = types.get(l.def.type());
                    ResourceTypeDescription d = type == null ? null : descriptions.get(type);
                    if (d == null) {
                        continue;
                    }
                    OpContext ctx = new OpContext(d.stopTimeout().toMillis(), clock);
                    OperationResult r;
                    try {
                        r = call(handler(l, type, d), new Action.Stop(g.name(), l.name), ctx, l.name);
                    } catch (RuntimeException e) {
                        r = OperationResult.failed(e.toString());
                    }
                    stopped(l, g.name(), r);
                    publishLeaving.accept(new WireReport(ownReport(doc, false), doc.digest(), false));
                }
            }
        }
        publishLeaving.accept(new WireReport(ownReport(doc, false), doc.digest(), true));
    }
}
