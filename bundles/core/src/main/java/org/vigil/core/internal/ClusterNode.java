package org.vigil.core.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.Engine;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.engine.Fencing;
import org.vigil.core.internal.heartbeat.HeartbeatIo;
import org.vigil.core.internal.heartbeat.PathStatus;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.Names;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;
import org.vigil.core.internal.quorum.PingProber;
import org.vigil.core.internal.quorum.PingTieBreaker;
import org.vigil.core.internal.quorum.PingTool;

/**
 * The cluster service of one node: wires the document, membership, heartbeat paths, the engine and the
 * plug-ins discovered at runtime. Configured by {@code etc/org.vigil.node.cfg}.
 */
@Component(service = ClusterService.class, immediate = true, configurationPid = "org.vigil.node",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ClusterNode.Config.class)
public class ClusterNode implements ClusterService {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** Node-local settings. */
    @ObjectClassDefinition(name = "Vigil node", description = "Settings of this cluster node")
    public @interface Config {
        /** @return the node's name */
        @AttributeDefinition(description = "This node's name, unique in the cluster (default: the host name)")
        String node_name() default "";

        /** @return the key file */
        @AttributeDefinition(description = "File holding the cluster key (base64, at least 16 bytes, mode 0600); "
                + "the same on every node. Default: ${karaf.etc}/vigil-cluster.key")
        String cluster_key_file() default "";

        /** @return the heartbeat interval */
        @AttributeDefinition(description = "Milliseconds between heartbeats on every path")
        long heartbeat_interval_ms() default 100;

        /** @return the dead time */
        @AttributeDefinition(description = "Milliseconds of silence on every path after which a node is declared lost")
        long dead_time_ms() default 600;

        /** @return the state directory */
        @AttributeDefinition(description = "Where the node keeps the cluster document and resource state. "
                + "Default: ${karaf.data}/vigil")
        String state_dir() default "";

        /** @return on or off */
        @AttributeDefinition(description = "on (the default): the node needs quorum, so cluster.nodes must list the "
                + "members, or a node with a heartbeat path runs nothing; off: with cluster.nodes empty, a lost node "
                + "counts as down at once and a full partition runs groups on both sides. Ignored when cluster.nodes is set")
        String quorum() default "on";

        /** @return the members */
        @AttributeDefinition(description = "The cluster's members and their votes, the same list on every node: "
                + "node names, comma-separated, each with optional :votes (default 1), e.g. node1, node2, node3:2. "
                + "Empty: quorum is off and a lost node counts as down at once")
        String cluster_nodes() default "";

        /** @return the tie-breaker */
        @AttributeDefinition(description = "What decides a split with exactly half the votes on each side: none, "
                + "ping (quorum.ping.targets), or the type of an installed tie-breaker (e.g. disk)")
        String quorum_tiebreaker() default "none";

        /** @return the ping targets */
        @AttributeDefinition(description = "For quorum.tiebreaker = ping: literal addresses on the public network "
                + "(e.g. its gateway), comma-separated; a side that reaches none loses")
        String quorum_ping_targets() default "";

        /** @return the peers' public addresses */
        @AttributeDefinition(description = "For quorum.tiebreaker = ping: each member's public address, node=address, "
                + "comma-separated; when a lost member's address is silent the side that reaches a target wins")
        String quorum_ping_peers() default "";

        /** @return the fixed winner */
        @AttributeDefinition(description = "For quorum.tiebreaker = ping: the member whose side wins when both sides "
                + "may reach the targets (default: the first node in cluster.nodes)")
        String quorum_tiebreaker_winner() default "";

        /** @return the ping tie-breaker's probe period */
        @AttributeDefinition(description = "For quorum.tiebreaker = ping: milliseconds between two pings of each target "
                + "and peer address (10 to 1000); every address is pinged all the time so a tie is decided at once")
        long quorum_ping_interval_ms() default 50;

        /** @return the silence that proves a lost member gone */
        @AttributeDefinition(description = "For quorum.tiebreaker = ping: milliseconds without an answer from a lost "
                + "member's public address after which it counts as silent (at least 5 probe periods plus 200 ms)")
        long quorum_ping_silence_ms() default 500;

        /** @return the self-fencing bound */
        @AttributeDefinition(description = "Milliseconds within which a node that lost quorum stops all its resources; "
                + "the side with quorum waits this long before it starts a lost node's groups (unless fenced)")
        long quorum_loss_stop_ms() default 5000;

        /** @return the freeze bound */
        @AttributeDefinition(description = "With quorum: milliseconds a lost node whose machine still answers ping "
                + "(its Vigil process frozen, or only the heartbeats cut) is waited for at least, from the last heartbeat "
                + "heard; a node frozen longer may run its groups beside the new owner unless fenced (0 to 600000)")
        long quorum_freeze_ms() default 1000;

        /** @return the fence delay */
        @AttributeDefinition(description = "Milliseconds this node waits before it fences a lost peer: give the node that "
                + "should win fence races 0 and the other one a few seconds")
        long fence_delay_ms() default 0;

        /** @return the public interfaces */
        @AttributeDefinition(description = "The public network watch: this node's interfaces on the public network (the "
                + "clients' side), comma-separated, e.g. eth0. Each must have a carrier and be up, read from /sys/class/net. "
                + "Empty (and no public.ping.targets): the public network is not watched")
        String public_interfaces() default "";

        /** @return the public ping targets */
        @AttributeDefinition(description = "The public network watch: literal addresses on the public network (its "
                + "gateway, a router the clients use), comma-separated; at every check one of them must answer a ping "
                + "(1 s each, tried in order)")
        String public_ping_targets() default "";

        /** @return the check interval */
        @AttributeDefinition(description = "Milliseconds between two checks of the public network (100 to 60000)")
        long public_interval_ms() default 1000;

        /** @return the checks that make it lost */
        @AttributeDefinition(description = "Consecutive failed checks after which the public network counts as lost "
                + "(1 to 100): a single lost ping moves nothing")
        int public_lost_after() default 3;

        /** @return the checks that make it OK again */
        @AttributeDefinition(description = "Consecutive good checks after which a lost public network counts as back (1 to 100)")
        int public_ok_after() default 2;
    }

    private final List<ResourceType> pendingTypes = new CopyOnWriteArrayList<>();
    private final List<HeartbeatTransportFactory> pendingFactories = new CopyOnWriteArrayList<>();
    private final List<PathConfiguration> pendingPaths = new CopyOnWriteArrayList<>();
    private final Map<AlertSink, org.vigil.core.internal.alert.AlertFilter> pendingSinks = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<TieBreaker> tieBreakers = new CopyOnWriteArrayList<>();
    private final Fencing fencing = new Fencing(ClusterNode::now);
    private volatile PingTieBreaker pingTieBreaker;
    private volatile boolean quorumOff;
    private volatile List<String> pingCommand = List.of("ping");
    private volatile PingProber pingProber;
    private volatile java.util.function.Function<PublicNetworkWatch.Settings, PublicNetworkWatch> publicWatches =
            s -> PublicNetworkWatch.system(s, pingProber, ClusterNode::now);
    private volatile boolean publicByProber = true;
    private volatile String keyProblem;
    /** A bad value in etc/org.vigil.node.cfg (named with its key), or null; and the configuration in use. */
    private volatile String configProblem;
    private volatile Config config;

    private volatile String node;
    private volatile long incarnation;
    private volatile Engine engine;
    private volatile HeartbeatIo io;
    private volatile DocumentStore docs;
    private volatile MembershipTracker members;
    private volatile Alerts alerts;
    private volatile ProcessRegistry processes;
    private volatile ExecutorService workers;
    private volatile WireReport shutdownReport;
    private volatile org.vigil.core.internal.fence.FenceSigner fenceSigner;

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * @param given the node configuration; a bad value makes the node not ready (its default stands in)
     * @param props the same, raw (to name a bad value)
     */
    @Activate
    public void activate(Config given, Map<String, Object> props) throws IOException {
        NodeConfigCheck.Checked checked = NodeConfigCheck.check(given, props, null);
        Config c = checked.config();
        config = c;
        configProblem = configProblem(checked);
        node = c.node_name().isBlank() ? hostName() : c.node_name().trim();
        Names.check("node", node);
        Path stateDir = Paths.get(c.state_dir().isBlank() ? prop("karaf.data", "data") + "/vigil" : c.state_dir());
        Files.createDirectories(stateDir);
        incarnation = nextIncarnation(stateDir);
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(2, 32, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "vigil-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        alerts = new Alerts(node);
        pendingSinks.forEach(alerts::addSink);
        processes = new ProcessRegistry(stateDir.resolve("run"));
        org.vigil.core.internal.engine.StatePermissions.secure(stateDir);
        members = new MembershipTracker(c.heartbeat_interval_ms(), c.dead_time_ms());
        Engine[] e = new Engine[1];
        HeartbeatIo[] h = new HeartbeatIo[1];
        docs = new DocumentStore(stateDir.resolve("cluster.json"), () -> {
            if (e[0] != null) {
                e[0].wakeup();
            }
        });
        String keyProblem = null;
        FrameCodec codec = null;
        Path keyFile = Paths.get(c.cluster_key_file().isBlank() ? prop("karaf.etc", "etc") + "/vigil-cluster.key"
                : c.cluster_key_file());
        try {
            byte[] key = readKey(keyFile);
            codec = new FrameCodec(key);
            fenceSigner = new org.vigil.core.internal.fence.FenceSigner(node, key);
        } catch (IOException | IllegalArgumentException ex) {
            keyProblem = "no usable cluster key: " + ex.getMessage() + (Files.exists(keyFile) ? ""
                    : ". Run bin/vigil-keygen on one node and copy " + keyFile + " to every node")
                    + "; until then this node runs nothing";
            LOG.error(keyProblem);
        }
        long settle = c.dead_time_ms() + 2 * c.heartbeat_interval_ms();
        engine = e[0] = new Engine(node, stateDir, ClusterNode::now, docs, members, processes, alerts, workers, settle,
                () -> {
                    if (h[0] != null) {
                        h[0].kick();
                    }
                });
        this.keyProblem = keyProblem;
        engine.setFencing(fencing);
        engine.setTieBreaker(this::tieBreaker);
        engine.setReadinessCheck(() -> {
            PingProber pp = pingProber;
            String tool = pp == null ? null : pp.problem();
            if (tool != null) {
                return tool;
            }
            HeartbeatIo hio = io;
            String quorumProblem = QuorumMode.problem(quorumOff, engine.quorum().settings().configured(),
                    hio != null && !hio.status().isEmpty());
            return quorumProblem != null ? quorumProblem
                    : hio == null ? null : org.vigil.core.internal.heartbeat.PathReadiness.problem(hio.status());
        });
        pingProber = new PingProber(pingCommand, ClusterNode::now);
        configureQuorum(c);
        pendingTypes.forEach(engine::typeAdded);
        if (codec != null) {
            io = h[0] = new HeartbeatIo(node, incarnation, codec, members, docs, this::currentReport, ClusterNode::now,
                    engine::wakeup, alerts, c.heartbeat_interval_ms());
            io.setFenceHandler(engine::fenceRequested);
            engine.setHeartbeatSilence(io::takeLongestSilence);
            engine.setListeningSince(io::listeningSince);
            engine.setUnansweredAt(io::lastUnansweredAt);
            pendingFactories.forEach(io::addFactory);
            pendingPaths.forEach(io::addPath);
            io.start();
        }
        engine.start();
        LOG.info("Vigil node {} started (incarnation {}, heartbeat every {} ms, dead time {} ms, state in {})", node,
                incarnation, c.heartbeat_interval_ms(), c.dead_time_ms(), stateDir);
    }

    /**
     * @param given the changed configuration: timing applies at once; name, key and state directory at the next start.
     *              A bad value keeps its last good one and makes the node not ready until fixed
     * @param props the same, raw (to name a bad value)
     */
    @Modified
    public void modified(Config given, Map<String, Object> props) {
        NodeConfigCheck.Checked checked = NodeConfigCheck.check(given, props, config);
        Config c = checked.config();
        config = c;
        configProblem = configProblem(checked);
        members.setTiming(c.heartbeat_interval_ms(), c.dead_time_ms());
        engine.setSettleMillis(c.dead_time_ms() + 2 * c.heartbeat_interval_ms());
        if (io != null) {
            io.setInterval(c.heartbeat_interval_ms());
        }
        configureQuorum(c);
        String wanted = c.node_name().isBlank() ? hostName() : c.node_name().trim();
        if (!wanted.equals(node)) {
            LOG.warn("node.name changed to {}: it takes effect when the node restarts", wanted);
        }
        LOG.info("heartbeat interval {} ms, dead time {} ms", c.heartbeat_interval_ms(), c.dead_time_ms());
    }

    /** Stops every local resource so peers take over, tells them this node leaves, then closes everything. */
    @Deactivate
    public void deactivate() {
        LOG.info("Vigil node {} is stopping: stopping its resources so the other nodes take over", node);
        HeartbeatIo h = io;
        engine.shutdown(r -> {
            shutdownReport = r;
            if (h != null) {
                h.kick();
            }
        });
        if (h != null) {
            try {
                Thread.sleep(100); // let the "leaving" heartbeat go out on every path
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            h.stop();
        }
        pingProber.close();
        processes.close();
        alerts.close();
        workers.shutdownNow();
        LOG.info("Vigil node {} stopped", node);
    }

    private void configureQuorum(Config c) {
        String problem = null;
        try {
            Quorum.Settings qs = Quorum.Settings.parse(c.cluster_nodes(), c.quorum_tiebreaker(), c.quorum_loss_stop_ms())
                    .withFreezeMillis(c.quorum_freeze_ms());
            PingTieBreaker ping = null;
            if (qs.tieBreaker().equals("ping")) {
                ping = new PingTieBreaker(PingTieBreaker.parse(c.quorum_ping_targets(), c.quorum_ping_peers(),
                        c.quorum_tiebreaker_winner(), qs.votes().keySet(), c.quorum_ping_interval_ms(),
                        c.quorum_ping_silence_ms()), pingProber, ClusterNode::now);
            }
            boolean off = QuorumMode.off(c.quorum());
            if (off && qs.configured()) {
                LOG.warn("quorum = off is ignored: cluster.nodes names the members, so quorum is on");
            }
            if (c.fence_delay_ms() < 0 || c.fence_delay_ms() > 600_000) {
                throw new IllegalArgumentException("fence.delay.ms: " + c.fence_delay_ms() + " must be from 0 to 600000");
            }
            if (qs.configured() && qs.lossStopMillis() < c.dead_time_ms()) {
                LOG.warn("quorum.loss.stop.ms ({}) is shorter than dead.time.ms ({}): a paused node may not notice in time",
                        qs.lossStopMillis(), c.dead_time_ms());
            }
            pingTieBreaker = ping;
            quorumOff = off;
            engine.quorum().configure(qs);
            engine.setFenceDelay(c.fence_delay_ms());
            if (qs.configured()) {
                LOG.info("quorum: members {}, tie-breaker {}, quorum.loss.stop.ms {}", qs.votes(),
                        qs.tieBreaker().isEmpty() ? "none" : ping != null ? ping.describe() : qs.tieBreaker(), qs.lossStopMillis());
            } else {
                LOG.warn(off ? "quorum = off: a full partition runs groups on both sides"
                        : "quorum is on but cluster.nodes is empty: a node with a heartbeat path runs nothing until the members are listed");
            }
        } catch (IllegalArgumentException e) {
            problem = "invalid quorum settings in etc/org.vigil.node.cfg: " + e.getMessage() + "; until fixed this node runs nothing";
            LOG.error(problem);
        }
        String publicProblem = configurePublicNetwork(c);
        String toolProblem = configurePings(c);
        String notReady = java.util.stream.Stream.of(keyProblem, configProblem, problem, publicProblem, toolProblem)
                .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.joining("; "));
        engine.setNotReady(notReady.isEmpty() ? null : notReady);
    }

    private static String configProblem(NodeConfigCheck.Checked checked) {
        if (checked.problem() == null) {
            return null;
        }
        String p = "invalid settings in etc/org.vigil.node.cfg: " + checked.problem() + "; until fixed this node starts"
                + " nothing new (it keeps heartbeating and keeps what runs)";
        LOG.error(p);
        return p;
    }

    /**
     * Pings every address the ping tie-breaker and the public network watch need, all the time.
     *
     * @return why this node cannot run ping while its settings need it, or null
     */
    private String configurePings(Config c) {
        Set<String> addresses = new java.util.LinkedHashSet<>();
        PingTieBreaker tb = pingTieBreaker;
        if (tb != null && engine.quorum().settings().tieBreaker().equals("ping")) {
            addresses.addAll(tb.settings().addresses());
        }
        PublicNetworkWatch w = engine.publicWatch();
        boolean publicPings = w != null && !w.settings().targets().isEmpty();
        if (publicPings && publicByProber) {
            addresses.addAll(w.settings().targets());
        }
        long interval = c.quorum_ping_interval_ms();
        pingProber.configure(addresses, interval >= 10 && interval <= 1000 ? interval : PingTieBreaker.DEFAULT_INTERVAL_MILLIS);
        if (addresses.isEmpty() && !publicPings) {
            return null;
        }
        String p = PingTool.problem(pingCommand);
        if (p != null) {
            LOG.error("{}", p);
        }
        return p;
    }

    /**
     * Replaces the ping program (before activation): for tests of a node that cannot run ping.
     *
     * @param command the program and any leading arguments
     */
    public void usePingCommand(List<String> command) {
        this.pingCommand = List.copyOf(command);
    }

    /** @return the problem with the public network settings, or null */
    private String configurePublicNetwork(Config c) {
        try {
            PublicNetworkWatch.Settings ps = PublicNetworkWatch.Settings.parse(c.public_interfaces(), c.public_ping_targets(),
                    c.public_interval_ms(), c.public_lost_after(), c.public_ok_after());
            if (!ps.targets().isEmpty()) {
                PingTieBreaker.checkInterval(c.quorum_ping_interval_ms());
            }
            PublicNetworkWatch current = engine.publicWatch();
            if (current != null && current.settings().equals(ps)) {
                return null;
            }
            engine.setPublicWatch(ps.watched() ? publicWatches.apply(ps) : null);
            if (ps.watched()) {
                LOG.info("public network watch: {}", ps.describe());
            } else {
                LOG.info("the public network is not watched (public.interfaces and public.ping.targets are empty)");
            }
            return null;
        } catch (IllegalArgumentException e) {
            String problem = "invalid public network settings in etc/org.vigil.node.cfg: " + e.getMessage()
                    + "; until fixed this node runs nothing";
            LOG.error(problem);
            return problem;
        }
    }

    /**
     * Replaces how the public network is probed (before activation): for tests that give a node a copy of the
     * sysfs layout and a ping of their own instead of this machine's.
     *
     * @param factory makes the watch from the settings
     */
    public void usePublicNetworkWatches(java.util.function.Function<PublicNetworkWatch.Settings, PublicNetworkWatch> factory) {
        this.publicWatches = java.util.Objects.requireNonNull(factory);
        this.publicByProber = false;
    }

    private TieBreaker tieBreaker() {
        String type = engine.quorum().settings().tieBreaker();
        if (type.equals("ping")) {
            return pingTieBreaker;
        }
        for (TieBreaker t : tieBreakers) {
            try {
                if (type.equals(t.type())) {
                    return t;
                }
            } catch (RuntimeException e) {
                LOG.warn("tie-breaker {} cannot name its type: {}", t.getClass().getName(), e.toString());
            }
        }
        return null;
    }

    private WireReport currentReport() {
        WireReport s = shutdownReport;
        return s != null ? s : engine.report();
    }

    private static String prop(String name, String def) {
        String v = System.getProperty(name);
        return v == null ? def : v;
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            return "node";
        }
    }

    static byte[] readKey(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("the key file " + file + " does not exist");
        }
        String refused = org.vigil.plugin.support.SecretFiles.problem("the key file", file);
        if (refused != null) {
            throw new IOException(refused);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key file " + file + " does not hold base64 text");
        }
        if (key.length < FrameCodec.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the key in " + file + " has " + key.length + " bytes; at least "
                    + FrameCodec.MIN_KEY_BYTES + " are required");
        }
        return key;
    }

    private static long nextIncarnation(Path stateDir) throws IOException {
        Path f = stateDir.resolve("incarnation");
        long last = 0;
        if (Files.exists(f)) {
            try {
                last = Long.parseLong(Files.readString(f).trim());
            } catch (NumberFormatException e) {
                LOG.warn("{} is not a number; starting a new incarnation series", f);
            }
        }
        // Grows across restarts even if the clock steps back, and across a lost state directory via the clock.
        long next = Math.max(last + 1, System.currentTimeMillis());
        Files.writeString(f, Long.toString(next));
        return next;
    }

    // ---- plug-ins (dynamic, multiple) ----

    /** @param t a resource type */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addResourceType(ResourceType t) {
        pendingTypes.add(t);
        Engine e = engine;
        if (e != null) {
            e.typeAdded(t);
        }
    }

    /** @param t a resource type going away */
    public void removeResourceType(ResourceType t) {
        pendingTypes.remove(t);
        Engine e = engine;
        if (e != null) {
            e.typeRemoved(t);
        }
    }

    /** @param f a heartbeat transport */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addTransport(HeartbeatTransportFactory f) {
        pendingFactories.add(f);
        HeartbeatIo h = io;
        if (h != null) {
            h.addFactory(f);
        }
    }

    /** @param f a heartbeat transport going away */
    public void removeTransport(HeartbeatTransportFactory f) {
        pendingFactories.remove(f);
        HeartbeatIo h = io;
        if (h != null) {
            h.removeFactory(f);
        }
    }

    /** @param p a configured heartbeat path */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addPath(PathConfiguration p) {
        pendingPaths.add(p);
        HeartbeatIo h = io;
        if (h != null) {
            h.addPath(p);
        }
    }

    /** @param p a path configuration going away */
    public void removePath(PathConfiguration p) {
        pendingPaths.remove(p);
        HeartbeatIo h = io;
        if (h != null) {
            h.removePath(p);
        }
    }

    /** @param s an alert sink @param props its service properties: filter and limits (AlertSink.MIN_SEVERITY...) */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addAlertSink(AlertSink s, Map<String, Object> props) {
        var f = org.vigil.core.internal.alert.AlertFilter.DEFAULT;
        try {
            f = org.vigil.core.internal.alert.AlertFilter.parse(props, AlertSink.MIN_SEVERITY, AlertSink.KINDS,
                    AlertSink.TIMEOUT, AlertSink.QUEUE);
        } catch (IllegalArgumentException e) {
            LOG.warn("alert sink service {}: {}; delivering with the defaults ({})", props.get("service.id"), e.getMessage(),
                    f.describe());
        }
        pendingSinks.put(s, f);
        Alerts a = alerts;
        if (a != null) {
            a.addSink(s, f);
        }
    }

    /** @param s an alert sink going away */
    public void removeAlertSink(AlertSink s) {
        pendingSinks.remove(s);
        Alerts a = alerts;
        if (a != null) {
            a.removeSink(s);
        }
    }

    /** @param t a tie-breaker */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addTieBreaker(TieBreaker t) {
        tieBreakers.add(t);
    }

    /** @param t a tie-breaker going away */
    public void removeTieBreaker(TieBreaker t) {
        tieBreakers.remove(t);
    }

    /** @param a a fence agent */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addFenceAgent(FenceAgent a) {
        fencing.addAgent(a);
    }

    /** @param a a fence agent going away */
    public void removeFenceAgent(FenceAgent a) {
        fencing.removeAgent(a);
    }

    /** @param d a configured fence device */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addFenceDevice(FenceConfiguration d) {
        fencing.addDevice(d);
    }

    /** @param d a fence device configuration going away */
    public void removeFenceDevice(FenceConfiguration d) {
        fencing.removeDevice(d);
    }

    // ---- ClusterService ----

    @Override
    public Fencing fencing() {
        return fencing;
    }

    @Override
    public Map<String, String> fenceResults() {
        return engine.fenceResults();
    }

    @Override
    public String tieBreakerInfo() {
        Quorum.Settings qs = engine.quorum().settings();
        if (qs.tieBreaker().isEmpty()) {
            return "none";
        }
        PingTieBreaker p = pingTieBreaker;
        if (qs.tieBreaker().equals("ping") && p != null) {
            return p.describe();
        }
        return qs.tieBreaker() + (tieBreaker() == null ? " (NOT INSTALLED: this side cannot win a tie)" : " (installed)");
    }

    @Override
    public FenceResult fence(String target, FenceAction action, int timeoutSeconds) throws Exception {
        return engine.fenceNow(target, action).get(timeoutSeconds, TimeUnit.SECONDS);
    }

    @Override
    public String confirmDown(String target) throws Exception {
        try {
            return engine.confirmDown(target).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw e;
        }
    }

    @Override
    public String publicNetworkInfo() {
        PublicNetworkWatch w = engine.publicWatch();
        return w == null ? "" : w.settings().describe();
    }

    @Override
    public String nodeName() {
        return node;
    }

    @Override
    public long incarnation() {
        return incarnation;
    }

    @Override
    public EngineStatus engineStatus() {
        return engine.status();
    }

    @Override
    public Map<String, MembershipTracker.PeerView> peers() {
        return members.peers(now());
    }

    @Override
    public Map<String, PathStatus> paths() {
        HeartbeatIo h = io;
        return h == null ? Map.of() : h.status();
    }

    @Override
    public String documentLag() {
        HeartbeatIo h = io;
        return h == null ? "" : h.documentLag();
    }

    @Override
    public ClusterDocument document() {
        return docs.current();
    }

    @Override
    public ClusterDocument change(UnaryOperator<ClusterDocument> change) {
        return change(null, null, change);
    }

    @Override
    public ClusterDocument change(String user, String what, UnaryOperator<ClusterDocument> change) {
        ClusterDocument d = docs.update(what == null ? change : doc -> {
            ClusterDocument n = change.apply(doc);
            return n == doc ? n : n.recording(new org.vigil.core.internal.model.Change(n.version(), node, user, System.currentTimeMillis(), what));
        });
        if (what != null) {
            LOG.info("cluster document version {}: {} by user {} on this node", d.version(), what, user == null ? "-" : user);
        }
        HeartbeatIo h = io;
        if (h != null) {
            h.pushDocument();
        }
        engine.wakeup();
        return d;
    }

    @Override
    public Map<String, ResourceTypeDescription> resourceTypes() {
        Map<String, ResourceTypeDescription> out = new TreeMap<>();
        engine.types().forEach((k, t) -> {
            try {
                out.put(k, t.describe());
            } catch (RuntimeException e) {
                LOG.warn("resource type {} failed to describe itself: {}", k, e.toString());
            }
        });
        return out;
    }

    @Override
    public Map<String, TransportDescription> pathTypes() {
        HeartbeatIo h = io;
        return h == null ? Map.of() : h.transports();
    }

    @Override
    public List<String> validateResource(String type, Map<String, String> params) {
        ResourceType t = engine.types().get(type);
        if (t == null) {
            return List.of("type '" + type + "' is not installed on this node (installed: "
                    + String.join(", ", engine.types().keySet()) + "); install its feature with feature:install vigil-resource-" + type);
        }
        List<String> problems = new ArrayList<>();
        ResourceTypeDescription d = t.describe();
        Map<String, String> full = new TreeMap<>();
        for (ParameterDescription p : d.parameters()) {
            if (p.defaultValue() != null) {
                full.put(p.name(), p.defaultValue());
            }
        }
        for (String k : params.keySet()) {
            if (d.parameter(k).isEmpty()) {
                problems.add(k + ": not a parameter of type " + type + " (parameters: "
                        + String.join(", ", d.parameters().stream().map(ParameterDescription::name).toList()) + ")");
            }
        }
        for (ParameterDescription p : d.parameters()) {
            if (p.required() && (params.get(p.name()) == null || params.get(p.name()).isBlank())) {
                problems.add(p.name() + ": required (" + p.description() + ")");
            }
        }
        if (problems.isEmpty()) {
            full.putAll(params);
            try {
                OperationResult r = t.validate(full);
                if (r == null || !r.isOk()) {
                    problems.add(r == null ? "the type's validation returned nothing" : r.message());
                }
            } catch (RuntimeException e) {
                problems.add("the type's validation failed: " + e);
            }
        }
        return problems;
    }

    @Override
    public List<AlertEvent> recentEvents() {
        return alerts.recent();
    }

    @Override
    public List<org.vigil.core.internal.alert.AlertLane.Stats> alertSinks() {
        return alerts.sinkStats();
    }

    @Override
    public org.vigil.core.internal.stats.NodeStats stats() {
        Engine e = engine;
        HeartbeatIo h = io;
        Alerts a = alerts;
        return e == null || a == null ? org.vigil.core.internal.stats.NodeStats.NONE
                : e.stats(a.eventCounts(), h == null ? List.of() : h.links().lines());
    }

    @Override
    public void raiseTestAlert(String message) {
        alerts.raise(org.vigil.api.alert.Severity.INFO, "test", node, message);
    }

    @Override
    public java.util.Optional<org.vigil.api.fence.FenceMessageSigner> fenceSigner() {
        return java.util.Optional.ofNullable(fenceSigner);
    }
}
