package org.vigil.core.internal.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.policy.Membership;

/**
 * Evaluates membership for one tick and tells the admin what changed: a node lost (critical), back online, leaving
 * (info); a heartbeat path down while its node is still heard on others (warning: degraded, no failover) or back. A
 * suspect node is only logged: it may be heard again within the dead time. Engine thread only.
 */
final class MembershipAlerts {

    // The engine's logger, as before this was a class of its own: admins grep for these lines.
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private MembershipAlerts() {
    }

    /** Moves {@code members} on to {@code now} (nodes first, then paths) and raises an alert for each transition. */
    static void evaluate(MembershipTracker members, Alerts alerts, long now) {
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
    }
}
