package org.vigil.core.internal.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.Engine;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.frame.ReplayGuard;
import org.vigil.core.internal.heartbeat.DocumentProtocol;
import org.vigil.core.internal.heartbeat.InboundFrames;
import org.vigil.core.internal.membership.Challenge;
import org.vigil.core.internal.membership.Lease;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.PathCounters;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.Membership;
import org.vigil.core.internal.policy.NodeView;
import org.vigil.core.internal.policy.QuorumView;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.quorum.PingTieBreaker;
import org.vigil.core.internal.stats.LinkStats;

/**
 * One deterministic run of a simulated cluster of 2 to 5 nodes, everything drawn from one seed.
 *
 * <p>Each node runs the production decision logic: the real {@link Engine} (driven tick by tick through
 * {@link Engine#tickOnce()}, its plug-in calls handed to a simulated worker pool that takes simulated time),
 * the real {@link MembershipTracker}, {@link org.vigil.core.internal.policy.Policy}, {@link DocumentStore},
 * {@link FrameCodec} (HMAC-signed frames), {@link ReplayGuard} and {@link WireReport} encoding. Heartbeats
 * travel as signed frames over two simulated paths per pair of nodes, each of which can lose, duplicate,
 * delay (hence reorder) and cut them; every frame delivered goes through the production inbound handling,
 * {@link InboundFrames} (authentication, path check, replay window, challenge, membership, report), on the
 * simulation's thread.
 *
 * <p>There are no threads, no sleeps and no wall clock: one {@link Random}, one virtual clock and one
 * event queue ordered by (time, sequence). The same seed therefore gives the same run, event for event.
 *
 * <p>After every event the invariants are checked: no group is active on two live nodes at once (a frozen
 * node is live: what it started still runs), and, at the end, after every fault has healed, the admin has
 * cleaned up failures and the cluster has been quiet, every group runs on exactly one node.
 */
final class Simulation {

    static final long INTERVAL = 100;
    static final long DEAD_TIME = 600;
    static final long TICK = 25;
    /** Like the production engine thread, a node ticks soon after a frame or a result wakes it. */
    static final long WAKE_DELAY = 2;
    static final long START_TIMEOUT = 800;
    static final long STOP_TIMEOUT = 800;
    static final long MONITOR_TIMEOUT = 400;
    static final long MONITOR_INTERVAL = 200;
    /** After the faults end: time for hung operations to time out (1 s at most) before the admin cleans up. */
    static final long SETTLE_AFTER_HEAL = 1500;
    /** How long the admin waits for a moment when nothing is under way before cleaning up anyway. */
    static final long MAX_CLEANUP_WAIT = 2000;
    /** After the cleanup: time the cluster gets to converge. */
    static final long QUIET = 3000;
    /**
     * quorum.loss.stop.ms: a node without quorum stops everything within this time. Shorter than the default
     * (5 s) so that partitions and lone survivors outlast it and the quorum rules are put to the test.
     */
    static final long LOSS_STOP = 2500;
    /** A stop sequence of up to three resources, each up to 120 ms, one tick apart, beyond the bound. */
    static final long STOP_GRACE = 600;
    /** The witness's lock lasts this long unless the winning side asks again (it does every 2 s). */
    static final long WITNESS_LEASE = 5000;
    static final List<String> PATHS = List.of("lan", "serial");
    /** The public network's gateway, the ping tie-breaker's target (lease-ping profile). */
    static final String GATEWAY = "192.0.2.1";
    /** quorum.ping.interval.ms and quorum.ping.silence.ms, the defaults. */
    static final long PROBE = PingTieBreaker.DEFAULT_INTERVAL_MILLIS;
    static final long SILENCE = PingTieBreaker.DEFAULT_SILENCE_MILLIS;
    /** A takeover after a crash of the holder counts as fast within the dead time plus this margin. */
    static final long TAKEOVER_MARGIN = 300;
    private static final int TRACE_KEEP = 150;
    private static final byte[] KEY = "simulated-cluster-key-0123456789".getBytes(StandardCharsets.UTF_8);

    /**
     * The result of a run.
     *
     * @param inbound what the nodes' inbound handling made of the frames delivered, summed over nodes and paths
     */
    record Result(long seed, SimProfile profile, int nodes, List<String> violations, List<String> trace,
            long fingerprint, long events, List<Long> takeovers, List<Long> overlaps, PathCounters inbound) {

        boolean ok() {
            return violations.isEmpty();
        }

        /** @return the first violation, the last events before it and the command that replays the run */
        String report() {
            StringBuilder b = new StringBuilder();
            b.append("simulation seed ").append(seed).append(" (profile ").append(profile.name()).append(", ")
                    .append(nodes).append(" nodes) broke an invariant:\n");
            violations.stream().limit(5).forEach(v -> b.append("  ").append(v).append('\n'));
            b.append("last ").append(trace.size()).append(" events:\n");
            trace.forEach(t -> b.append("  ").append(t).append('\n'));
            b.append("replay: ").append(replayCommand(profile, seed)).append('\n');
            return b.toString();
        }
    }

    static String replayCommand(SimProfile profile, long seed) {
        String nodes = System.getProperty("vigil.sim.nodes");
        return "mvn -pl bundles/core test -Dtest=SimulationTest -Dvigil.sim.profile=" + profile.name()
                + " -Dvigil.sim.seed=" + seed + (nodes == null ? "" : " -Dvigil.sim.nodes=" + nodes);
    }

    /** @param changes false for events that cannot change what runs where (frames, heartbeats) */
    private record Ev(long at, long seq, Node node, long incarnation, Runnable action, boolean changes) {
    }

    /** One simulated machine; its Vigil process is replaced on every restart. */
    private final class Node {
        final String name;
        final long clockOffset;
        final Path dir;
        boolean alive;
        long incarnation;
        long frozenUntil = Long.MIN_VALUE;
        long resumedAt = Long.MIN_VALUE;
        final List<Ev> deferred = new ArrayList<>();
        MembershipTracker members;
        ReplayGuard replay;
        Challenge challenge;
        InboundFrames inbound;
        final Map<String, PathCounters> counters = new TreeMap<>();
        DocumentStore docs;
        Engine engine;
        long sequence;
        long tickAt = Long.MAX_VALUE;
        long beatAt = Long.MAX_VALUE;
        WireReport encodedFor;
        byte[] encoded;
        Map<String, Membership> seen = new TreeMap<>();
        Map<String, String> targets = new TreeMap<>();
        Map<String, Heard> heard = new TreeMap<>();
        long lastSent = Long.MIN_VALUE;
        long longestSilence;
        Boolean quorate;
        long noQuorumSince = -1;
        long minoritySince = -1;
        SimPingAnswers ping;
        PingTieBreaker pingTieBreaker;

        Node(String name, long clockOffset, Path dir) {
            this.name = name;
            this.clockOffset = clockOffset;
            this.dir = dir;
        }

        /** The node's monotonic clock: it runs on while the process is frozen, as CLOCK_MONOTONIC does. */
        long clock() {
            return now + clockOffset;
        }

        boolean frozen() {
            return frozenUntil > now;
        }

        ResourceState claimed(String resource) {
            if (engine == null) {
                return ResourceState.STOPPED;
            }
            for (GroupReport g : engine.report().report().groups().values()) {
                ResourceState s = g.resources().get(resource);
                if (s != null) {
                    return s;
                }
            }
            return ResourceState.STOPPED;
        }
    }

    /** The engine's worker pool: each plug-in call runs later, on the simulation's thread, in simulated time. */
    private final class Workers extends AbstractExecutorService {
        final Node node;
        final long incarnation;

        Workers(Node node, long incarnation) {
            this.node = node;
            this.incarnation = incarnation;
        }

        @Override
        public void execute(Runnable task) {
            long d = rnd.nextDouble() < opHang ? 200 + rnd.nextInt(1800) : 1 + rnd.nextInt(120);
            schedule(now + d, node, incarnation, () -> {
                task.run(); // a FutureTask the engine cancelled after its timeout does nothing
                wake(node);
            });
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    final long seed;
    final SimProfile profile;
    private final Random rnd;
    private final Path root;
    private final boolean verbose;
    private final FrameCodec codec = new FrameCodec(KEY);
    private final PriorityQueue<Ev> queue = new PriorityQueue<>(Comparator.comparingLong(Ev::at).thenComparingLong(Ev::seq));
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Node> byName = new TreeMap<>();
    private long now;
    private long end;
    private long lastBusy;
    private long seq;
    private long events;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long fingerprint = 1125899906842597L;
    private final List<String> violations = new ArrayList<>();
    private final Set<String> violationKeys = new HashSet<>();

    // The world: what really runs where, and the network.
    private final Map<String, Set<String>> running = new TreeMap<>();
    private final Set<String> crashedResources = new TreeSet<>();
    private final Set<String> cutLinks = new TreeSet<>();
    /** Nodes whose public link is cut: they reach neither the gateway nor the others' addresses, nor they them. */
    private final Set<String> publicCut = new TreeSet<>();
    /** Groups whose holder's machine crashed while it ran them fully, and when: the takeover being measured. */
    private final Map<String, Crash> holderCrashed = new TreeMap<>();
    private final List<Long> takeovers = new ArrayList<>();
    /** Groups that run on a frozen node and on the other at once (lease-ping only: the lease's known limit). */
    private final Map<String, Overlap> frozenOverlaps = new TreeMap<>();
    private final List<Long> overlapMillis = new ArrayList<>();
    private Map<String, Integer> partition;
    private double loss;
    private double duplicate;
    private double startFail;
    private double stopFail;
    private double opHang;
    private boolean faultsOn = true;
    private ClusterDocument document;
    private final ResourceType type = new SimType();
    private boolean splitRule = true;
    private String pingWinner = "node1";
    private boolean frozenExempt = true;
    private boolean quorumRules;
    private final Map<java.nio.ByteBuffer, WireReport> decoded = new java.util.HashMap<>();

    /**
     * @param seed    the seed every choice comes from
     * @param profile the faults to draw
     * @param root    a directory for the nodes' cluster documents
     * @param verbose print every trace line as it happens
     */
    Simulation(long seed, SimProfile profile, Path root, boolean verbose) {
        this.seed = seed;
        this.profile = profile;
        this.rnd = new Random(seed);
        this.root = root;
        this.verbose = verbose;
        this.loss = profile.loss();
        this.duplicate = profile.duplicate();
        this.startFail = profile.startFail();
        this.stopFail = profile.stopFail();
        this.opHang = profile.hang();
        this.quorumRules = profile.quorum();
    }

    /**
     * For the test that shows the quorum rules can fail: check them even without quorum configured, and not
     * the no-double-run rule (which would end the run first).
     */
    Simulation onlyQuorumRules() {
        splitRule = false;
        quorumRules = true;
        return this;
    }

    /** Without the lease-ping profile's exception for frozen nodes: any group on two live nodes is a violation. */
    Simulation strictAboutFrozenNodes() {
        frozenExempt = false;
        return this;
    }

    // ---- the run ----

    Result run() {
        int n = 2 + rnd.nextInt(4);
        if (profile.ping()) {
            n = 2;
            pingWinner = "node" + (1 + rnd.nextInt(2));
        }
        Integer forced = Integer.getInteger("vigil.sim.nodes");
        if (forced != null) {
            if (forced < 2 || forced > 5) {
                throw new IllegalArgumentException("vigil.sim.nodes: " + forced + " must be from 2 to 5");
            }
            n = forced;
        }
        for (int k = 1; k <= n; k++) {
            String name = "node" + k;
            Node node = new Node(name, 1_000_000L * (1 + rnd.nextInt(1000)), root.resolve(name));
            nodes.add(node);
            byName.put(name, node);
            running.put(name, new TreeSet<>());
        }
        document = initialDocument(n);
        for (Node node : nodes) {
            try {
                Files.createDirectories(node.dir);
                Files.writeString(node.dir.resolve("cluster.json"), document.toPrettyJson());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        log("cluster of " + n + " nodes; " + describe(document)
                + (profile.ping() ? "ping tie-breaker, winner " + pingWinner : ""));
        for (Node node : nodes) {
            long at = rnd.nextInt(300);
            schedule(at, null, 0, () -> boot(node));
        }
        long faultEnd = 1500 + profile.faultMillis();
        long t = 1500;
        while (true) {
            t += 100 + rnd.nextInt(1000);
            if (t >= faultEnd) {
                break;
            }
            long at = t;
            schedule(at, null, 0, this::fault);
        }
        schedule(faultEnd, null, 0, this::healEverything);
        long cleanupAt = faultEnd + SETTLE_AFTER_HEAL;
        schedule(cleanupAt, null, 0, () -> cleanupWhenQuiet(cleanupAt));
        end = cleanupAt + MAX_CLEANUP_WAIT + QUIET;
        try {
            while (!queue.isEmpty() && queue.peek().at() <= end && violations.isEmpty()) {
                Ev e = queue.poll();
                now = e.at();
                if (e.node() != null) {
                    Node node = e.node();
                    if (!node.alive || node.incarnation != e.incarnation()) {
                        continue;
                    }
                    if (node.frozen()) {
                        node.deferred.add(e);
                        continue;
                    }
                }
                events++;
                e.action().run();
                if (e.changes()) {
                    checkSafety();
                }
            }
            if (violations.isEmpty()) {
                now = end;
                checkLiveness();
            }
        } catch (RuntimeException | AssertionError ex) {
            violation("crash", "the simulation failed: " + ex);
            log("exception: " + ex);
            for (StackTraceElement el : ex.getStackTrace()) {
                log("    at " + el);
                if (el.getClassName().startsWith("org.junit")) {
                    break;
                }
            }
        }
        PathCounters inbound = new PathCounters();
        for (Node x : nodes) {
            for (PathCounters c : x.counters.values()) {
                inbound.accepted.addAndGet(c.accepted.get());
                inbound.duplicates.addAndGet(c.duplicates.get());
                inbound.replayed.addAndGet(c.replayed.get());
                inbound.unanswered.addAndGet(c.unanswered.get());
            }
        }
        return new Result(seed, profile, n, List.copyOf(violations), List.copyOf(trace), fingerprint, events,
                List.copyOf(takeovers), List.copyOf(overlapMillis), inbound);
    }

    private ClusterDocument initialDocument(int n) {
        int groups = 1 + rnd.nextInt(3);
        List<GroupDef> list = new ArrayList<>();
        for (int g = 1; g <= groups; g++) {
            List<ResourceDef> rs = new ArrayList<>();
            int count = 1 + rnd.nextInt(3);
            for (int r = 1; r <= count; r++) {
                rs.add(new ResourceDef("g" + g + "-r" + r, "sim", Map.of()));
            }
            List<String> names = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                names.add("node" + k);
            }
            java.util.Collections.shuffle(names, rnd);
            List<String> preferred = names.subList(0, 1 + rnd.nextInt(n));
            GroupDef def = GroupDef.create("g" + g).withResources(rs).withPreferredNodes(List.copyOf(preferred))
                    .withRestarts(1 + rnd.nextInt(3), 60_000);
            if (rnd.nextBoolean()) {
                def = def.withFailback(GroupDef.Failback.AUTO, 500 + rnd.nextInt(2000));
            }
            list.add(def);
        }
        return ClusterDocument.empty().next("admin", l -> {
            l.addAll(list);
            return l;
        });
    }

    private static String describe(ClusterDocument d) {
        StringBuilder b = new StringBuilder();
        for (GroupDef g : d.groups()) {
            b.append(g.name()).append(g.resources().stream().map(ResourceDef::name).toList()).append(" preferred ")
                    .append(g.preferredNodes()).append(' ').append(g.failback().name().toLowerCase())
                    .append(g.failback() == GroupDef.Failback.AUTO ? " " + g.failbackDelayMillis() + " ms" : "")
                    .append(" max-restarts ").append(g.maxRestarts()).append("; ");
        }
        return b.toString();
    }

    private void schedule(long at, Node node, long incarnation, Runnable action) {
        queue.add(new Ev(at, seq++, node, incarnation, action, true));
    }

    private void scheduleQuiet(long at, Node node, long incarnation, Runnable action) {
        queue.add(new Ev(at, seq++, node, incarnation, action, false));
    }

    // ---- a node's process ----

    private void boot(Node node) {
        node.alive = true;
        node.incarnation++;
        node.frozenUntil = Long.MIN_VALUE;
        node.resumedAt = Long.MIN_VALUE;
        node.deferred.clear();
        node.members = new MembershipTracker(INTERVAL, DEAD_TIME);
        node.replay = new ReplayGuard();
        // deterministic (the run depends on the seed only) and distinct per node and incarnation
        node.challenge = new Challenge((node.name.hashCode() * 1_000_003L + node.incarnation) | 1L, rnd::nextLong);
        node.docs = new DocumentStore(node.dir.resolve("cluster.json"), () -> wake(node));
        Alerts alerts = new Alerts(node.name);
        node.inbound = new InboundFrames(node.name, codec, node.replay, node.challenge, node.members,
                new DocumentProtocol(node.docs::current, alerts), new LinkStats(), this::decodeReport);
        node.counters.clear();
        Workers workers = new Workers(node, node.incarnation);
        node.engine = new Engine(node.name, node.dir, node::clock, node.docs, node.members,
                new ProcessRegistry(node.dir.resolve("run")), alerts, workers,
                DEAD_TIME + 2 * INTERVAL, () -> kick(node));
        node.engine.typeAdded(type);
        long inc = node.incarnation;
        node.engine.setFastStop(() -> fastStop(node, inc));
        node.lastSent = Long.MIN_VALUE;
        node.longestSilence = 0;
        node.engine.setHeartbeatSilence(t -> {
            // HeartbeatIo.takeLongestSilence: the longest gap between this node's heartbeats since the last call
            long longest = node.longestSilence;
            node.longestSilence = 0;
            return node.lastSent == Long.MIN_VALUE ? 0 : Math.max(longest, t - node.lastSent);
        });
        if (profile.quorum()) {
            Map<String, Integer> votes = new java.util.LinkedHashMap<>();
            nodes.forEach(x -> votes.put(x.name, 1));
            if (profile.ping()) {
                node.engine.quorum().configure(new Quorum.Settings(votes, "ping", LOSS_STOP));
                bootPing(node);
            } else {
                node.engine.quorum().configure(new Quorum.Settings(votes, nodes.size() % 2 == 0 ? "witness" : "", LOSS_STOP));
                node.engine.setTieBreaker(() -> witness);
            }
        }
        node.quorate = null;
        node.noQuorumSince = -1;
        node.minoritySince = -1;
        node.sequence = 0;
        node.encodedFor = null;
        node.tickAt = Long.MAX_VALUE;
        node.beatAt = Long.MAX_VALUE;
        node.seen = new TreeMap<>();
        node.targets = new TreeMap<>();
        node.heard = new TreeMap<>();
        log(node.name + " starts (incarnation " + node.incarnation + ")");
        scheduleTick(node, now);
        scheduleBeat(node, now);
    }

    private void scheduleTick(Node node, long at) {
        if (node.tickAt <= at) {
            return;
        }
        node.tickAt = at;
        schedule(at, node, node.incarnation, () -> {
            if (node.tickAt != at) {
                return; // superseded by an earlier wake-up
            }
            node.tickAt = Long.MAX_VALUE;
            tick(node);
            scheduleTick(node, now + TICK);
        });
    }

    private void wake(Node node) {
        if (node.alive) {
            scheduleTick(node, now + WAKE_DELAY);
        }
    }

    private void kick(Node node) {
        scheduleBeat(node, now);
    }

    private void scheduleBeat(Node node, long at) {
        if (node.beatAt <= at) {
            return;
        }
        node.beatAt = at;
        scheduleQuiet(at, node, node.incarnation, () -> {
            if (node.beatAt != at) {
                return;
            }
            node.beatAt = Long.MAX_VALUE;
            sendHeartbeat(node);
            scheduleBeat(node, now + INTERVAL);
        });
    }

    private void tick(Node node) {
        node.engine.tickOnce();
        EngineStatus st = node.engine.status();
        if (st == null) {
            return;
        }
        for (NodeView v : st.snapshot().nodes().values()) {
            if (!v.name().equals(node.name) && node.seen.put(v.name(), v.membership()) != v.membership()) {
                log(node.name + " sees " + v.name() + " " + v.membership());
            }
        }
        for (Map.Entry<String, Decision.Placement> e : st.decision().placements().entrySet()) {
            String reason = e.getValue().reason();
            if (!reason.equals(node.targets.put(e.getKey(), reason))) {
                log(node.name + " " + e.getKey() + ": " + reason);
            }
        }
        QuorumView qv = st.snapshot().quorum();
        if (qv.configured()) {
            if (node.quorate == null || node.quorate != qv.has()) {
                node.quorate = qv.has();
                log(node.name + (qv.has() ? " has quorum: " : " has NO quorum: ") + qv.detail());
            }
            if (qv.has()) {
                node.noQuorumSince = -1;
            } else if (node.noQuorumSince < 0) {
                node.noQuorumSince = now;
            }
        }
        for (EngineStatus.LocalLine l : st.resources().values()) {
            if (l.operation() != null && !l.operation().startsWith("monitor ")) {
                lastBusy = now;
            }
        }
        List<String> acts = st.decision().actions().stream().filter(a -> !(a instanceof Action.Monitor))
                .map(Action::render).toList();
        if (!acts.isEmpty()) {
            log(node.name + " decides: " + String.join("; ", acts));
        }
    }

    // ---- the ping tie-breaker's world: a gateway and the nodes' public addresses ----

    private static String publicAddress(String node) {
        return "192.0.2." + (10 + Integer.parseInt(node.substring("node".length())));
    }

    /** The prober starts with the process; the real tie-breaker reads it at every tick (QuorumWatch's instant path). */
    private void bootPing(Node node) {
        Map<String, String> peers = new TreeMap<>();
        nodes.forEach(x -> peers.put(x.name, publicAddress(x.name)));
        PingTieBreaker.Settings settings = new PingTieBreaker.Settings(List.of(GATEWAY), peers, pingWinner, PROBE, SILENCE);
        node.ping = new SimPingAnswers();
        settings.addresses().forEach(a -> node.ping.probing(a, node.clock()));
        node.pingTieBreaker = new PingTieBreaker(settings, node.ping, node::clock);
        node.engine.setTieBreaker(() -> node.pingTieBreaker);
        scheduleProbe(node, now + 1 + rnd.nextInt((int) PROBE));
    }

    /**
     * One probe of every address. A node event: while the process is frozen its pings' replies wait unread and are
     * read, as answers of the moment it resumes, when it does.
     */
    private void scheduleProbe(Node node, long at) {
        scheduleQuiet(at, node, node.incarnation, () -> {
            for (String address : List.of(GATEWAY, publicAddress("node1"), publicAddress("node2"))) {
                if (!address.equals(publicAddress(node.name))) {
                    node.ping.probed(address, node.clock(), answers(node, address));
                }
            }
            scheduleProbe(node, now + PROBE);
        });
    }

    /**
     * The gateway answers a node whose public link is up; a node's public address answers while its machine runs
     * (also while its process is frozen: the kernel answers) and both public links are up.
     */
    private boolean answers(Node from, String address) {
        if (publicCut.contains(from.name)) {
            return false;
        }
        if (address.equals(GATEWAY)) {
            return true;
        }
        Node to = nodes.stream().filter(x -> publicAddress(x.name).equals(address)).findFirst().orElseThrow();
        return to.alive && !publicCut.contains(to.name);
    }

    /**
     * The engine's fast stop: within a delay up to {@link Lease#STOP_MILLIS}, what the node ran when it lost its lease
     * is gone, as killing its programs and running its release actions would make it.
     */
    private String fastStop(Node node, long incarnation) {
        Set<String> what = new TreeSet<>(running.get(node.name));
        long d = 1 + rnd.nextInt((int) Lease.STOP_MILLIS);
        log(node.name + " lost its lease: fast stop of " + what + " within " + d + " ms");
        schedule(now + d, null, 0, () -> {
            if (node.alive && node.incarnation == incarnation) {
                Set<String> gone = new TreeSet<>(what);
                gone.retainAll(running.get(node.name));
                running.get(node.name).removeAll(gone);
                if (!gone.isEmpty()) {
                    log(node.name + " fast stop: " + gone + " killed and released");
                }
            }
        });
        return what.size() + " simulated resource(s) killed and released";
    }

    // ---- heartbeats over simulated paths ----

    private void sendHeartbeat(Node from) {
        from.challenge.senderRan(from.clock(), DEAD_TIME);
        WireReport r = from.engine.report();
        if (r != from.encodedFor) {
            from.encodedFor = r;
            from.encoded = r.encode();
        }
        for (String path : PATHS) {
            long seq = ++from.sequence;
            from.members.acks().sent(seq, from.clock()); // as HeartbeatIo: recorded before the frame leaves
            byte[] frame = codec.encode(new Frame(FrameType.HEARTBEAT, from.name, path, from.incarnation,
                    seq, from.encoded, from.challenge.nonce(), from.challenge.echoes(), from.members.acks().acks()));
            for (Node to : nodes) {
                if (to != from) {
                    transmit(from, to, path, frame);
                }
            }
        }
        long t = from.clock();
        if (from.lastSent != Long.MIN_VALUE) {
            from.longestSilence = Math.max(from.longestSilence, t - from.lastSent);
        }
        from.lastSent = t;
    }

    private boolean linkDown(Node from, Node to, String path) {
        if (partition != null && !partition.get(from.name).equals(partition.get(to.name))) {
            return true;
        }
        return !cutLinks.isEmpty() && cutLinks.contains(link(from.name, to.name, path));
    }

    /** A path in one direction: frames from {@code from} to {@code to}. */
    private static String link(String from, String to, String path) {
        return from + ">" + to + "/" + path;
    }

    private void transmit(Node from, Node to, String path, byte[] frame) {
        if (linkDown(from, to, path) || rnd.nextDouble() < loss) {
            return;
        }
        int copies = rnd.nextDouble() < duplicate ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            long at = now + 1 + rnd.nextInt(profile.maxDelayMillis());
            scheduleQuiet(at, to, to.incarnation, () -> receive(to, path, frame, from.name));
        }
    }

    /**
     * A frame arrives on a path: the node runs the production inbound handling ({@link InboundFrames}) on it, as
     * {@code HeartbeatIo}'s receiver threads do, and this carries out its outcome. Document requests and pieces are
     * not simulated (the scenario offers each document change to every node), so a request is dropped.
     */
    private void receive(Node node, String path, byte[] data, String source) {
        PathCounters counters = node.counters.computeIfAbsent(path, k -> new PathCounters());
        InboundFrames.Outcome o = node.inbound.receive(path, counters, data, 0, data.length, source, node.clock(),
                INTERVAL);
        switch (o.verdict()) {
            case MALFORMED, FORGED, UNREADABLE -> violation("frame", node.name + " rejected a frame the simulation "
                    + "signed: " + o.verdict() + " " + o.detail());
            case ASKED -> kick(node); // its next heartbeat echoes the sender's challenge
            case ACCEPTED -> { // every simulated frame is a heartbeat: it carries a report
                Frame f = o.frame();
                // Production wakes the engine on every frame; waking it only when the sender's report or life
                // changed keeps thousands of runs fast and costs at most one tick (25 ms) of reaction otherwise.
                Heard last = node.heard.put(f.sender(), new Heard(f.incarnation(), o.report()));
                if (last == null || last.incarnation() != f.incarnation() || !last.report().equals(o.report())) {
                    wake(node);
                }
            }
            case OWN, WRONG_PATH, DUPLICATE, STALE, UNANSWERED -> { }
        }
    }

    private record Heard(long incarnation, WireReport report) {
    }

    /** The same report bytes reach every peer on every path: decode each distinct payload once. */
    private WireReport decodeReport(byte[] payload) {
        java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(payload);
        WireReport r = decoded.get(k);
        if (r == null) {
            if (decoded.size() > 2000) {
                decoded.clear();
            }
            r = WireReport.decode(payload);
            decoded.put(k, r);
        }
        return r;
    }

    // ---- faults ----

    private void fault() {
        if (!faultsOn) {
            return;
        }
        holderCrashed.clear(); // a takeover is measured after a crash that no other fault follows
        List<Runnable> kinds = new ArrayList<>();
        if (profile.crashes()) {
            kinds.add(this::crashSomeNode);
        }
        if (profile.pathCuts()) {
            kinds.add(this::cutSomePath);
            kinds.add(this::cutSomePath);
        }
        if (profile.partitions()) {
            kinds.add(this::partitionNodes);
        }
        if (profile.freezes()) {
            kinds.add(this::freezeSomeNode);
        }
        if (profile.resourceCrash()) {
            kinds.add(this::crashSomeResource);
        }
        if (profile.ping()) {
            kinds.add(this::cutSomePublicLink);
            kinds.add(this::isolateSomeNode);
        }
        kinds.get(rnd.nextInt(kinds.size())).run();
    }

    private Node anyNode() {
        return nodes.get(rnd.nextInt(nodes.size()));
    }

    private void crashSomeNode() {
        Node node = anyNode();
        if (!node.alive) {
            return;
        }
        node.alive = false;
        node.engine = null;
        Set<String> killed = running.get(node.name);
        log("FAULT " + node.name + " crashes" + (killed.isEmpty() ? "" : "; with it die " + killed));
        for (GroupDef g : document.groups()) {
            if (!g.resources().isEmpty() && g.resources().stream().allMatch(r -> killed.contains(r.name()))
                    && nodes.stream().anyMatch(x -> x != node && x.alive)) {
                holderCrashed.put(g.name(), new Crash(node.name, now));
            }
        }
        killed.clear();
        crashedResources.removeIf(k -> k.startsWith(node.name + "/"));
        long down = 100 + rnd.nextInt(4000);
        schedule(now + down, null, 0, () -> {
            if (!node.alive) {
                boot(node);
            }
        });
    }

    private void cutSomePath() {
        Node a = anyNode();
        Node b = anyNode();
        if (a == b) {
            return;
        }
        String path = PATHS.get(rnd.nextInt(PATHS.size()));
        // Last-path cuts may also be one-way (a switch port that only sends, a half-broken cable).
        boolean oneWay = profile.lastPathCuts() && rnd.nextInt(3) == 0;
        List<String> keys = oneWay ? List.of(link(a.name, b.name, path))
                : List.of(link(a.name, b.name, path), link(b.name, a.name, path));
        if (keys.stream().anyMatch(cutLinks::contains)) {
            return;
        }
        if (!profile.lastPathCuts()) {
            long open = PATHS.stream().filter(p -> !cutLinks.contains(link(a.name, b.name, p))
                    && !cutLinks.contains(link(b.name, a.name, p))).count();
            if (open <= 1) {
                return;
            }
        }
        cutLinks.addAll(keys);
        String what = oneWay ? a.name + ">" + b.name + "/" + path + " (one way)" : a.name + "-" + b.name + "/" + path;
        log("FAULT path " + what + " is cut");
        long d = 200 + rnd.nextInt(4000);
        schedule(now + d, null, 0, () -> {
            if (cutLinks.removeAll(keys)) {
                log("path " + what + " heals");
            }
        });
    }

    /** A node's public link is cut: it reaches no ping target and no one's public address, nor they its own. */
    private void cutSomePublicLink() {
        Node node = anyNode();
        if (!publicCut.add(node.name)) {
            return;
        }
        log("FAULT " + node.name + "'s public link is cut");
        long d = 200 + rnd.nextInt(4000);
        schedule(now + d, null, 0, () -> {
            if (publicCut.remove(node.name)) {
                log(node.name + "'s public link heals");
            }
        });
    }

    /** Every link of a node is cut: both heartbeat paths, both ways, and its public link. */
    private void isolateSomeNode() {
        Node node = anyNode();
        List<String> keys = new ArrayList<>();
        for (Node other : nodes) {
            for (String path : other == node ? List.<String>of() : PATHS) {
                keys.add(link(node.name, other.name, path));
                keys.add(link(other.name, node.name, path));
            }
        }
        if (publicCut.contains(node.name) || keys.stream().anyMatch(cutLinks::contains)) {
            return;
        }
        cutLinks.addAll(keys);
        publicCut.add(node.name);
        log("FAULT " + node.name + " is cut off: every heartbeat path and its public link");
        long d = 200 + rnd.nextInt(4000);
        schedule(now + d, null, 0, () -> {
            if (cutLinks.removeAll(keys) | publicCut.remove(node.name)) {
                log(node.name + "'s links heal");
            }
        });
    }

    private void partitionNodes() {
        if (partition != null) {
            return;
        }
        Map<String, Integer> side = new TreeMap<>();
        List<Node> shuffled = new ArrayList<>(nodes);
        java.util.Collections.shuffle(shuffled, rnd);
        int cut = 1 + rnd.nextInt(nodes.size() - 1);
        for (int k = 0; k < shuffled.size(); k++) {
            side.put(shuffled.get(k).name, k < cut ? 0 : 1);
        }
        partition = side;
        log("FAULT partition " + side);
        Map<String, Integer> mine = side;
        long d = 300 + rnd.nextInt(5000);
        schedule(now + d, null, 0, () -> {
            if (partition == mine) {
                partition = null;
                log("partition heals");
            }
        });
    }

    private void freezeSomeNode() {
        Node node = anyNode();
        if (!node.alive || node.frozen()) {
            return;
        }
        // With quorum, a freeze stays within what self-fencing can cover: the node must wake up, see the pause
        // and stop before the others' wait (dead time + bound) is over. Longer ones need a fence device.
        long d = 100 + rnd.nextInt(profile.quorum() ? (int) (DEAD_TIME + LOSS_STOP - 1100) : 3000);
        node.frozenUntil = now + d;
        long inc = node.incarnation;
        log("FAULT " + node.name + " freezes for " + d + " ms");
        schedule(now + d, null, 0, () -> thaw(node, inc));
    }

    private void thaw(Node node, long incarnation) {
        if (!node.alive || node.incarnation != incarnation || node.frozenUntil == Long.MIN_VALUE) {
            return;
        }
        node.frozenUntil = Long.MIN_VALUE;
        node.resumedAt = now;
        log(node.name + " resumes (its clock jumped)");
        for (Ev e : node.deferred) {
            queue.add(new Ev(now, seq++, e.node(), e.incarnation(), e.action(), e.changes()));
        }
        node.deferred.clear();
    }

    private void crashSomeResource() {
        Node node = anyNode();
        Set<String> rs = running.get(node.name);
        if (rs.isEmpty()) {
            return;
        }
        List<String> list = new ArrayList<>(rs);
        String r = list.get(rnd.nextInt(list.size()));
        rs.remove(r);
        crashedResources.add(node.name + "/" + r);
        log("FAULT " + r + " dies on " + node.name);
    }

    private void healEverything() {
        faultsOn = false;
        holderCrashed.clear();
        loss = 0;
        duplicate = 0;
        startFail = 0;
        stopFail = 0;
        opHang = 0;
        cutLinks.clear();
        publicCut.clear();
        partition = null;
        log("HEAL: every path and partition heals, frozen nodes resume, crashed nodes restart; no more faults");
        for (Node node : nodes) {
            if (!node.alive) {
                boot(node);
            } else if (node.frozen()) {
                thaw(node, node.incarnation);
            }
        }
    }

    /**
     * The admin waits until no node has had a start, stop or probe under way for a moment (so every report
     * is current) and then cleans up; with {@link SimProfile#hastyCleanup()}, at once.
     */
    private void cleanupWhenQuiet(long since) {
        if (!profile.hastyCleanup() && now - lastBusy < 2 * INTERVAL && now - since < MAX_CLEANUP_WAIT) {
            schedule(now + 50, null, 0, () -> cleanupWhenQuiet(since));
            return;
        }
        cleanup();
        end = now + QUIET;
    }

    /** The admin makes sure nothing runs where a stop failed, then runs vigil:cleanup on every group. */
    private void cleanup() {
        for (Node node : nodes) {
            for (GroupDef g : document.groups()) {
                for (ResourceDef r : g.resources()) {
                    if (node.claimed(r.name()) == ResourceState.STOP_FAILED && running.get(node.name).remove(r.name())) {
                        log("admin stops " + r.name() + " on " + node.name + " by hand (its stop had failed)");
                    }
                }
            }
        }
        ClusterDocument next = document;
        for (GroupDef g : document.groups()) {
            next = next.nextWithGroup("admin", g.name(), GroupDef::withCleanup);
        }
        document = next;
        log("admin runs vigil:cleanup on every group (document version " + next.version() + ")");
        for (Node node : nodes) {
            if (node.alive) {
                node.docs.offer(next); // what replication would deliver; every node is up and connected now
            }
        }
    }

    // ---- resources: the simulated world ----

    private final class SimType implements ResourceType {
        @Override
        public ResourceTypeDescription describe() {
            return new ResourceTypeDescription("sim", "a resource of the simulated world", List.of(),
                    Duration.ofMillis(START_TIMEOUT), Duration.ofMillis(STOP_TIMEOUT), Duration.ofMillis(MONITOR_TIMEOUT),
                    Duration.ofMillis(MONITOR_INTERVAL));
        }

        @Override
        public OperationResult validate(Map<String, String> parameters) {
            return OperationResult.ok();
        }

        @Override
        public ResourceHandler createHandler(ResourceContext ctx) {
            String node = ctx.nodeName();
            String r = ctx.resourceName();
            return new ResourceHandler() {
                @Override
                public OperationResult start(OperationContext op) {
                    if (rnd.nextDouble() < startFail) {
                        log(node + " start " + r + ": FAILS (injected)");
                        return OperationResult.failed("injected start failure");
                    }
                    checkStopProofs(ctx, node, r);
                    running.get(node).add(r);
                    crashedResources.remove(node + "/" + r);
                    log(node + " start " + r + ": runs");
                    measureTakeover(node, r);
                    return OperationResult.ok();
                }

                @Override
                public OperationResult stop(OperationContext op) {
                    if (rnd.nextDouble() < stopFail) {
                        log(node + " stop " + r + ": FAILS (injected; it may still run)");
                        return OperationResult.failed("injected stop failure");
                    }
                    running.get(node).remove(r);
                    crashedResources.remove(node + "/" + r);
                    log(node + " stop " + r + ": stopped");
                    return OperationResult.ok();
                }

                @Override
                public OperationResult monitor(OperationContext op) {
                    if (running.get(node).contains(r)) {
                        return OperationResult.ok();
                    }
                    return crashedResources.contains(node + "/" + r) ? OperationResult.failed("it died")
                            : OperationResult.notRunning();
                }
            };
        }
    }

    /**
     * What agents are told (docs/split-brain-safety.md, "What agents are told"): a node the core proves stopped, at
     * the start of a resource of a group, runs nothing of that group in the simulated world. A frozen node (or one
     * resumed a fast stop ago) is the documented pause limit, logged, not a violation.
     */
    private void checkStopProofs(ResourceContext ctx, String node, String resource) {
        String group = resource.substring(0, resource.indexOf('-'));
        for (String other : byName.keySet()) {
            if (other.equals(node)) {
                continue;
            }
            ctx.stopProof(other).ifPresent(p -> {
                List<String> left = running.get(other).stream().filter(x -> x.startsWith(group + "-")).sorted().toList();
                if (left.isEmpty()) {
                    return;
                }
                Node o = byName.get(other);
                if (o.frozen() || withinFastStopOfWaking(o)) {
                    log("KNOWN LIMIT " + node + " is told " + other + " stopped " + group + " (" + p.kind()
                            + ") while it is frozen with " + left);
                } else {
                    violation("proof:" + group, node + " starting " + resource + " is told " + other + " stopped " + group
                            + " (" + p.kind() + ": " + p.detail() + ") but " + other + " runs " + left);
                }
            });
        }
    }

    /**
     * The first start of a group whose holder crashed: on another node, the takeover's time is recorded; on the
     * restarted holder itself, nothing is.
     */
    private void measureTakeover(String node, String resource) {
        String group = resource.substring(0, resource.indexOf('-'));
        Crash c = holderCrashed.remove(group);
        if (c != null && !c.node().equals(node)) {
            takeovers.add(now - c.at());
            log("takeover of " + group + " by " + node + " " + (now - c.at()) + " ms after its holder crashed");
        }
    }

    private record Crash(String node, long at) {
    }

    // ---- the tie-breaker ----

    /**
     * A witness that holds a lock for one side of an even split, the way a quorum disk does: the side that
     * asks first wins and keeps winning while it renews within the lease; any other side (even one that
     * overlaps it) loses until the lease has run out unrenewed. So two sides never both win.
     */
    private final TieBreaker witness = new TieBreaker() {
        private Set<String> holder;
        private long renewed;

        @Override
        public String type() {
            return "witness";
        }

        @Override
        public boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op) {
            boolean wins = holder == null || now - renewed > WITNESS_LEASE || holder.equals(side);
            if (wins) {
                holder = Set.copyOf(side);
                renewed = now;
            }
            log("witness: " + localNode + " (side " + new TreeSet<>(side) + ") " + (wins ? "wins" : "loses") + " the tie");
            return wins;
        }
    };

    // ---- invariants ----

    /**
     * Where a group is active: on a live node (frozen counts: what it started still runs) that really runs
     * one of its resources (a failed or hung stop leaves it running), or whose engine is starting one (the
     * agent may have brought part of it up already).
     */
    private List<String> activeOn(GroupDef g) {
        List<String> out = new ArrayList<>();
        for (Node node : nodes) {
            if (!node.alive) {
                continue;
            }
            for (ResourceDef r : g.resources()) {
                if (running.get(node.name).contains(r.name()) || node.claimed(r.name()) == ResourceState.STARTING) {
                    out.add(node.name);
                    break;
                }
            }
        }
        return out;
    }

    private void checkSafety() {
        for (GroupDef g : splitRule ? document.groups() : List.<GroupDef>of()) {
            List<String> on = activeOn(g);
            if (on.size() <= 1) {
                Overlap o = frozenOverlaps.remove(g.name());
                if (o != null) {
                    overlapMillis.add(now - o.since());
                    log("the overlap of " + g.name() + " ends after " + (now - o.since()) + " ms");
                }
            }
            if (on.size() > 1 && !frozenOverlap(g.name(), on)) {
                StringBuilder b = new StringBuilder("group ").append(g.name()).append(" is active on ")
                        .append(String.join(" and ", on)).append(" at once:");
                for (String n : on) {
                    Node node = byName.get(n);
                    b.append(' ').append(n).append(node.frozen() ? " (frozen)" : "").append(" runs ")
                            .append(running.get(n)).append(" claims ")
                            .append(node.engine == null ? "{}" : node.engine.report().report().group(g.name()).resources())
                            .append(';');
                }
                violation("split:" + g.name(), b.toString());
            }
        }
        if (quorumRules) {
            checkQuorum();
        }
    }

    private record Overlap(String frozen, long since) {
    }

    /** @return true when the node resumed from a freeze at most one tick, a wake-up and the fast stop ago */
    private boolean withinFastStopOfWaking(Node n) {
        return n.resumedAt != Long.MIN_VALUE && now - n.resumedAt <= TICK + WAKE_DELAY + Lease.STOP_MILLIS;
    }

    /**
     * The lease's known limit (docs/split-brain-safety.md, "The lease"; lease-ping profile only). The promise (a holder
     * stops within its lease plus the fast stop after the other's last receipt from it) assumes the holder's engine
     * ticks when its lease lapses. A frozen JVM does not: it cannot stop what it runs, and its kernel keeps answering
     * ping, so the tie-breaker's winner takes the group over once it declares the holder lost (last receipt plus the
     * dead time), and both run it until the holder wakes, finds its lease gone (the pause rule, or no acknowledgement
     * within the lease) and fast-stops. A freeze that spans the instant the lease lapses is enough, even one shorter
     * than the dead time (lease-ping seed 533 of the explored ones: 555 ms; the other node starts 1 ms after the wake).
     * Tolerated only while one of the two nodes is frozen, or resumed at most a tick, a wake-up and the fast stop ago;
     * anything longer, and any other overlap, is a violation.
     */
    private boolean frozenOverlap(String group, List<String> on) {
        if (!profile.ping() || !frozenExempt || on.size() != 2) {
            return false;
        }
        Overlap o = frozenOverlaps.get(group);
        if (o == null) {
            Node frozen = on.stream().map(byName::get).filter(n -> n.frozen() || withinFastStopOfWaking(n)).findFirst()
                    .orElse(null);
            if (frozen == null) {
                return false;
            }
            frozenOverlaps.put(group, new Overlap(frozen.name, now));
            log("KNOWN LIMIT " + group + " runs on " + String.join(" and ", on) + " while " + frozen.name
                    + (frozen.frozen() ? " is frozen" : " resumed " + (now - frozen.resumedAt) + " ms ago"));
            return true;
        }
        Node f = byName.get(o.frozen());
        if (!on.contains(f.name)) {
            return false;
        }
        boolean ok = f.frozen() || withinFastStopOfWaking(f);
        if (!ok) {
            violation("overlap:" + group, group + " still runs on " + f.name + " " + (now - f.resumedAt) + " ms after it "
                    + "resumed from a freeze during which the other node took it over: the fast stop came too late");
        }
        return ok;
    }

    /**
     * Quorum (profiles with quorum only): a node without quorum, by its own view or because the world cuts
     * it off from a majority, runs nothing once its self-fencing bound has passed, save what it is still
     * stopping or failed to stop (a broken promise the engine alerts on; fencing is the answer to it).
     */
    private void checkQuorum() {
        int total = nodes.size();
        for (Node node : nodes) {
            if (!node.alive || node.frozen()) {
                node.minoritySince = -1;
                continue;
            }
            int side = 1;
            for (Node other : nodes) {
                if (other != node && other.alive && !other.frozen() && hears(node, other) && hears(other, node)) {
                    side++;
                }
            }
            if (2 * side < total) {
                if (node.minoritySince < 0) {
                    node.minoritySince = now;
                }
            } else {
                node.minoritySince = -1;
            }
            boolean noQuorum = node.noQuorumSince >= 0 && now - node.noQuorumSince > LOSS_STOP + STOP_GRACE;
            boolean minority = node.minoritySince >= 0 && now - node.minoritySince > DEAD_TIME + LOSS_STOP + STOP_GRACE;
            String running = noQuorum || minority ? stillRunning(node) : null;
            if (running == null) {
                continue;
            }
            if (noQuorum) {
                violation("no-quorum:" + node.name, node.name + " has had no quorum for " + (now - node.noQuorumSince)
                        + " ms and still runs " + running);
            }
            if (minority) {
                violation("minority:" + node.name, node.name + " has been cut off from a majority for "
                        + (now - node.minoritySince) + " ms and still runs " + running);
            }
        }
    }

    /** @return true when {@code to} hears {@code from} on some path (loss aside) */
    private boolean hears(Node to, Node from) {
        for (String p : PATHS) {
            if (!linkDown(from, to, p)) {
                return true;
            }
        }
        return false;
    }

    /** @return what a node runs that it is not stopping and has not failed to stop, or null */
    private String stillRunning(Node node) {
        List<String> out = new ArrayList<>();
        for (String r : running.get(node.name)) {
            ResourceState c = node.claimed(r);
            if (c != ResourceState.STOPPING && c != ResourceState.STOP_FAILED) {
                out.add(r + " (" + c + ")");
            }
        }
        for (GroupDef g : document.groups()) {
            for (ResourceDef r : g.resources()) {
                if (node.claimed(r.name()) == ResourceState.STARTING) {
                    out.add(r.name() + " (STARTING)");
                }
            }
        }
        return out.isEmpty() ? null : String.join(", ", out);
    }

    private void checkLiveness() {
        for (GroupDef g : document.groups()) {
            if (g.role() != GroupDef.Role.STARTED) {
                continue;
            }
            List<String> on = activeOn(g);
            List<String> names = g.resources().stream().map(ResourceDef::name).toList();
            boolean fully = on.size() == 1 && running.get(on.get(0)).containsAll(names)
                    && names.stream().allMatch(r -> byName.get(on.get(0)).claimed(r) == ResourceState.RUNNING);
            if (!fully) {
                StringBuilder b = new StringBuilder("liveness: ").append(QUIET)
                        .append(" ms after the cleanup, with every node up and connected, group ").append(g.name())
                        .append(" does not run exactly once:");
                for (Node node : nodes) {
                    EngineStatus st = node.engine == null ? null : node.engine.status();
                    b.append(' ').append(node.name).append(" runs ").append(running.get(node.name)).append(" claims ")
                            .append(node.engine == null ? "-" : node.engine.report().report().group(g.name()).resources())
                            .append(" says '").append(st == null ? "-" : st.decision().placements().get(g.name()).reason())
                            .append("';");
                }
                violation("liveness:" + g.name(), b.toString());
            }
        }
    }

    private void violation(String key, String what) {
        if (violationKeys.add(key)) {
            String line = "t=" + now + " " + what;
            violations.add(line);
            log("VIOLATION " + what);
        }
    }

    private void log(String line) {
        String l = String.format("t=%6d %s", now, line);
        fingerprint = fingerprint * 31 + l.hashCode();
        trace.addLast(l);
        if (trace.size() > TRACE_KEEP) {
            trace.removeFirst();
        }
        if (verbose) {
            System.out.println(l);
        }
    }

}
