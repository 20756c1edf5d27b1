package org.vigil.core.internal.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.publicnet.PublicNetworkWatch;

/**
 * The public network: this node's own, checked on a worker thread when its watch says a check is due, and
 * each peer's as its reports tell, so that failback counts from when a peer's network came back.
 */
final class PublicNetworkTracker {

    private final String node;
    private final LongSupplier clock;
    private final Alerts alerts;
    private final ExecutorService workers;
    private final Inbox inbox;
    /** This node's public network watch, or null when it watches nothing. */
    private volatile PublicNetworkWatch publicWatch;

    // Engine thread only.
    private boolean publicInFlight;
    /** When each peer's public network was last seen coming back, on this node's clock: failback counts from then. */
    private final Map<String, Long> peerPublicBack = new HashMap<>();
    private final Map<String, Boolean> peerPublicLost = new HashMap<>();
    private final Map<String, Long> peerPublicLostAt = new HashMap<>();

    PublicNetworkTracker(String node, LongSupplier clock, Alerts alerts, ExecutorService workers, Inbox inbox) {
        this.node = node;
        this.clock = clock;
        this.alerts = alerts;
        this.workers = workers;
        this.inbox = inbox;
    }

    /** @param w this node's public network watch, or null to watch nothing */
    void setWatch(PublicNetworkWatch w) {
        this.publicWatch = w;
    }

    /** @return this node's public network watch, or null */
    PublicNetworkWatch watch() {
        return publicWatch;
    }

    /** @param name a peer; @return when this node saw its public network lost, or far in the past */
    long peerLostAt(String name) {
        return peerPublicLostAt.getOrDefault(name, Long.MIN_VALUE / 2);
    }

    /** Starts a check of the public network on a worker thread when one is due; its result comes back here. */
    void watchPublicNetwork(long now) {
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
                inbox.submit(() -> {
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
    long eligibleSince(String name, long onlineSince, NodeReport report, long now) {
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
}
