package org.vigil.core.internal;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.core.internal.engine.Engine;
import org.vigil.core.internal.membership.Quorum;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;
import org.vigil.core.internal.quorum.PingProber;
import org.vigil.core.internal.quorum.PingTieBreaker;
import org.vigil.core.internal.quorum.PingTool;

/**
 * Applies the quorum, fencing-delay, public network and ping settings of a running node to its engine, at start and
 * at every change, and tells the engine what keeps the node from running anything (each problem names its setting).
 * A bad quorum or public network setting leaves the previous one in force.
 */
final class SettingsApplier {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsApplier.class);

    private final Engine engine;
    private final PingProber pingProber;
    private final NodePlugins plugins;
    private final String keyProblem;
    private volatile PingTieBreaker pingTieBreaker;
    private volatile boolean quorumOff;

    /**
     * @param engine     the node's engine
     * @param pingProber pings every address the settings need
     * @param plugins    the ping program and public network probe in use
     * @param keyProblem why the node has no usable cluster key, or null
     */
    SettingsApplier(Engine engine, PingProber pingProber, NodePlugins plugins, String keyProblem) {
        this.engine = engine;
        this.pingProber = pingProber;
        this.plugins = plugins;
        this.keyProblem = keyProblem;
    }

    /** @return the ping tie-breaker the settings describe, or null when quorum.tiebreaker is not ping */
    PingTieBreaker pingTieBreaker() {
        return pingTieBreaker;
    }

    /** @return quorum = off */
    boolean quorumOff() {
        return quorumOff;
    }

    /**
     * @param c             the settings
     * @param configProblem what is wrong with their values (named with the keys), or null
     */
    void apply(NodeSettings c, String configProblem) {
        String problem = null;
        try {
            Quorum.Settings qs = Quorum.Settings.parse(c.clusterNodes(), c.quorumTiebreaker(), c.quorumLossStopMs())
                    .withFreezeMillis(c.quorumFreezeMs());
            PingTieBreaker ping = null;
            if (qs.tieBreaker().equals("ping")) {
                ping = new PingTieBreaker(PingTieBreaker.parse(c.quorumPingTargets(), c.quorumPingPeers(),
                        c.quorumTiebreakerWinner(), qs.votes().keySet(), c.quorumPingIntervalMs(),
                        c.quorumPingSilenceMs()), pingProber, LocalNode::now);
            }
            boolean off = QuorumMode.off(c.quorum());
            if (off && qs.configured()) {
                LOG.warn("quorum = off is ignored: cluster.nodes names the members, so quorum is on");
            }
            if (c.fenceDelayMs() < 0 || c.fenceDelayMs() > 600_000) {
                throw new IllegalArgumentException("fence.delay.ms: " + c.fenceDelayMs() + " must be from 0 to 600000");
            }
            if (qs.configured() && qs.lossStopMillis() < c.deadTimeMs()) {
                LOG.warn("quorum.loss.stop.ms ({}) is shorter than dead.time.ms ({}): a paused node may not notice in time",
                        qs.lossStopMillis(), c.deadTimeMs());
            }
            pingTieBreaker = ping;
            quorumOff = off;
            engine.quorum().configure(qs);
            engine.setFenceDelay(c.fenceDelayMs());
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
        String notReady = Stream.of(keyProblem, configProblem, problem, publicProblem, toolProblem)
                .filter(Objects::nonNull).collect(Collectors.joining("; "));
        engine.setNotReady(notReady.isEmpty() ? null : notReady);
    }

    /** @return the problem with the public network settings, or null */
    private String configurePublicNetwork(NodeSettings c) {
        try {
            PublicNetworkWatch.Settings ps = PublicNetworkWatch.Settings.parse(c.publicInterfaces(), c.publicPingTargets(),
                    c.publicIntervalMs(), c.publicLostAfter(), c.publicOkAfter());
            if (!ps.targets().isEmpty()) {
                PingTieBreaker.checkInterval(c.quorumPingIntervalMs());
            }
            PublicNetworkWatch current = engine.publicWatch();
            if (current != null && current.settings().equals(ps)) {
                return null;
            }
            engine.setPublicWatch(ps.watched() ? watch(ps) : null);
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

    private PublicNetworkWatch watch(PublicNetworkWatch.Settings ps) {
        var factory = plugins.publicWatches();
        return factory == null ? PublicNetworkWatch.system(ps, pingProber, LocalNode::now) : factory.apply(ps);
    }

    /**
     * Pings every address the ping tie-breaker and the public network watch need, all the time.
     *
     * @return why this node cannot run ping while its settings need it, or null
     */
    private String configurePings(NodeSettings c) {
        Set<String> addresses = new LinkedHashSet<>();
        PingTieBreaker tb = pingTieBreaker;
        if (tb != null && engine.quorum().settings().tieBreaker().equals("ping")) {
            addresses.addAll(tb.settings().addresses());
        }
        PublicNetworkWatch w = engine.publicWatch();
        boolean publicPings = w != null && !w.settings().targets().isEmpty();
        // a watch of the test's own probes its targets itself
        if (publicPings && plugins.publicWatches() == null) {
            addresses.addAll(w.settings().targets());
        }
        long interval = c.quorumPingIntervalMs();
        pingProber.configure(addresses, interval >= 10 && interval <= 1000 ? interval : PingTieBreaker.DEFAULT_INTERVAL_MILLIS);
        if (addresses.isEmpty() && !publicPings) {
            return null;
        }
        String p = PingTool.problem(plugins.pingCommand());
        if (p != null) {
            LOG.error("{}", p);
        }
        return p;
    }
}
