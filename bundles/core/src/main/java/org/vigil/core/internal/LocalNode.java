package org.vigil.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.engine.DocumentStore;
import org.vigil.core.internal.engine.Engine;
import org.vigil.core.internal.heartbeat.HeartbeatIo;
import org.vigil.core.internal.heartbeat.PathReadiness;
import org.vigil.core.internal.engine.StatePermissions;
import org.vigil.core.internal.engine.WireReport;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.fence.FenceSigner;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.Names;
import org.vigil.core.internal.quorum.PingProber;

/**
 * One running node, wired from plain objects: the document, membership, heartbeat paths, the engine and the
 * plug-ins bound so far. {@link ClusterNode} makes one when Declarative Services activates it; a test makes one
 * directly.
 */
public final class LocalNode {

    private static final Logger LOG = LoggerFactory.getLogger(LocalNode.class);

    private final String name;
    private final long incarnation;
    private final NodePlugins plugins;
    private final ExecutorService workers;
    private final Alerts alerts;
    private final ProcessRegistry processes;
    private final MembershipTracker members;
    private final DocumentStore docs;
    private final Engine engine;
    /** Null while this node has no usable cluster key: then it runs nothing. */
    private final HeartbeatIo io;
    private final FenceSigner fenceSigner;
    private final PingProber pingProber;
    private final SettingsApplier applier;
    private final NodeFacade facade;
    private volatile NodeSettings settings;
    private volatile WireReport shutdownReport;

    /** @return the monotonic clock every timeout of the node reads, in milliseconds */
    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Wires and starts the node.
     *
     * @param checked the settings; their errors make the node not ready (their defaults stand in)
     * @param plugins the plug-ins bound so far, handed over now and as they come and go
     * @throws IOException when the state directory cannot be written
     */
    LocalNode(NodeSettings.Parsed checked, NodePlugins plugins) throws IOException {
        NodeSettings s = checked.settings();
        this.settings = s;
        this.plugins = plugins;
        String configProblem = configProblem(checked);
        name = NodeFiles.nodeName(s);
        Names.check("node", name);
        Path stateDir = NodeFiles.stateDir(s);
        Files.createDirectories(stateDir);
        incarnation = NodeFiles.nextIncarnation(stateDir);
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(2, 32, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "vigil-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        alerts = new Alerts(name);
        plugins.sinks.attach(k -> alerts.addSink(k.sink(), k.filter()), k -> alerts.removeSink(k.sink()));
        processes = new ProcessRegistry(stateDir.resolve("run"));
        StatePermissions.secure(stateDir);
        members = new MembershipTracker(s.heartbeatIntervalMs(), s.deadTimeMs());
        Engine[] e = new Engine[1];
        HeartbeatIo[] h = new HeartbeatIo[1];
        docs = new DocumentStore(stateDir.resolve("cluster.json"), () -> {
            if (e[0] != null) {
                e[0].wakeup();
            }
        });
        String keyProblem = null;
        FrameCodec codec = null;
        FenceSigner signer = null;
        Path keyFile = NodeFiles.keyFile(s);
        try {
            byte[] key = NodeFiles.readKey(keyFile);
            codec = new FrameCodec(key);
            signer = new FenceSigner(name, key);
        } catch (IOException | IllegalArgumentException ex) {
            keyProblem = "no usable cluster key: " + ex.getMessage() + (Files.exists(keyFile) ? ""
                    : ". Run bin/vigil-keygen on one node and copy " + keyFile + " to every node")
                    + "; until then this node runs nothing";
            LOG.error(keyProblem);
        }
        fenceSigner = signer;
        long settle = s.deadTimeMs() + 2 * s.heartbeatIntervalMs();
        engine = e[0] = new Engine(name, stateDir, LocalNode::now, docs, members, processes, alerts, workers, settle,
                () -> {
                    if (h[0] != null) {
                        h[0].kick();
                    }
                });
        engine.setFencing(plugins.fencing);
        engine.setTieBreaker(this::tieBreaker);
        engine.setReadinessCheck(this::readinessProblem);
        pingProber = new PingProber(plugins.pingCommand(), LocalNode::now);
        applier = new SettingsApplier(engine, pingProber, plugins, keyProblem);
        applier.apply(s, configProblem);
        plugins.types.attach(engine::typeAdded, engine::typeRemoved);
        if (codec != null) {
            io = h[0] = new HeartbeatIo(name, incarnation, codec, members, docs, this::currentReport, LocalNode::now,
                    engine::wakeup, alerts, s.heartbeatIntervalMs());
            io.setFenceHandler(engine::fenceRequested);
            engine.setHeartbeatSilence(io::takeLongestSilence);
            engine.setListeningSince(io::listeningSince);
            engine.setUnansweredAt(io::lastUnansweredAt);
            plugins.transports.attach(io::addFactory, io::removeFactory);
            plugins.paths.attach(io::addPath, io::removePath);
            io.start();
        } else {
            io = null;
        }
        facade = new NodeFacade(this, plugins.fencing);
        engine.start();
        LOG.info("Vigil node {} started (incarnation {}, heartbeat every {} ms, dead time {} ms, state in {})", name,
                incarnation, s.heartbeatIntervalMs(), s.deadTimeMs(), stateDir);
    }

    /**
     * Applies changed settings: timing at once; name, key and state directory at the next start.
     *
     * @param checked the settings, a bad value replaced by its last good one; their errors make the node not ready
     */
    void reconfigure(NodeSettings.Parsed checked) {
        NodeSettings s = checked.settings();
        settings = s;
        String configProblem = configProblem(checked);
        members.setTiming(s.heartbeatIntervalMs(), s.deadTimeMs());
        engine.setSettleMillis(s.deadTimeMs() + 2 * s.heartbeatIntervalMs());
        if (io != null) {
            io.setInterval(s.heartbeatIntervalMs());
        }
        applier.apply(s, configProblem);
        String wanted = NodeFiles.nodeName(s);
        if (!wanted.equals(name)) {
            LOG.warn("node.name changed to {}: it takes effect when the node restarts", wanted);
        }
        LOG.info("heartbeat interval {} ms, dead time {} ms", s.heartbeatIntervalMs(), s.deadTimeMs());
    }

    /** Stops every local resource so peers take over, tells them this node leaves, then closes everything. */
    void stop() {
        LOG.info("Vigil node {} is stopping: stopping its resources so the other nodes take over", name);
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
        plugins.types.detach();
        plugins.transports.detach();
        plugins.paths.detach();
        plugins.sinks.detach();
        LOG.info("Vigil node {} stopped", name);
    }

    /** @return what the shell and the REST API see of this node */
    ClusterService facade() {
        return facade;
    }

    /** @return the settings in use (a bad value replaced by its last good one) */
    NodeSettings settings() {
        return settings;
    }

    String name() {
        return name;
    }

    long incarnation() {
        return incarnation;
    }

    /** @return the engine (tests in other packages reach it to freeze its thread) */
    public Engine engine() {
        return engine;
    }

    /** @return the heartbeat paths, or null while this node has no usable cluster key */
    HeartbeatIo io() {
        return io;
    }

    DocumentStore docs() {
        return docs;
    }

    MembershipTracker members() {
        return members;
    }

    Alerts alerts() {
        return alerts;
    }

    /** @return the signer of fencing messages, or null while this node has no usable cluster key */
    FenceSigner fenceSigner() {
        return fenceSigner;
    }

    SettingsApplier applied() {
        return applier;
    }

    /** @return the tie-breaker the quorum settings name, or null when none is (or it is not installed) */
    TieBreaker tieBreaker() {
        String type = engine.quorum().settings().tieBreaker();
        if (type.equals("ping")) {
            return applier.pingTieBreaker();
        }
        return plugins.tieBreaker(type);
    }

    private String readinessProblem() {
        String tool = pingProber.problem();
        if (tool != null) {
            return tool;
        }
        HeartbeatIo hio = io;
        String quorumProblem = QuorumMode.problem(applier.quorumOff(), engine.quorum().settings().configured(),
                hio != null && !hio.status().isEmpty());
        return quorumProblem != null ? quorumProblem : hio == null ? null : PathReadiness.problem(hio.status());
    }

    private WireReport currentReport() {
        WireReport s = shutdownReport;
        return s != null ? s : engine.report();
    }

    private static String configProblem(NodeSettings.Parsed checked) {
        if (checked.problem() == null) {
            return null;
        }
        String p = "invalid settings in etc/org.vigil.node.cfg: " + checked.problem() + "; until fixed this node starts"
                + " nothing new (it keeps heartbeating and keeps what runs)";
        LOG.error(p);
        return p;
    }
}
