package org.vigil.core.internal.heartbeat;

import java.util.Map;
import java.util.TreeMap;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.engine.Alerts;

/**
 * Whether this node holds the cluster document its peers announce. A node that stays behind a peer's version
 * (the document does not cross, or this node refuses it) raises a CRITICAL alert once, shows it in
 * {@code vigil:status}, and an INFO alert when it has caught up. Thread-safe.
 */
final class DocumentLag {

    /** How long a node may be behind before it is a problem: adoption normally takes a heartbeat or two. */
    static final long RAISE_AFTER_MILLIS = 10_000;
    /** A peer not heard of for this long no longer counts (it left, or its reports stopped). */
    private static final long FORGET_AFTER_MILLIS = 30_000;

    private record Behind(long since, long lastSeen, long peerVersion, long localVersion, boolean raised) {
    }

    private final Alerts alerts;
    private final Map<String, Behind> behind = new TreeMap<>();

    DocumentLag(Alerts alerts) {
        this.alerts = alerts;
    }

    /**
     * @param peer         the peer whose heartbeat announced its version
     * @param peerVersion  its document version
     * @param localVersion this node's
     * @param now          monotonic ms
     */
    synchronized void heard(String peer, long peerVersion, long localVersion, long now) {
        Behind b = behind.get(peer);
        if (peerVersion <= localVersion) {
            if (b != null) {
                behind.remove(peer);
                if (b.raised()) {
                    alerts.raise(Severity.INFO, "document-current", peer, "this node holds the current cluster document "
                            + "again (version " + localVersion + ")");
                }
            }
            return;
        }
        long since = b == null ? now : b.since();
        boolean raise = b != null && !b.raised() && now - since >= RAISE_AFTER_MILLIS;
        behind.put(peer, new Behind(since, now, peerVersion, localVersion, b != null && b.raised() || raise));
        if (raise) {
            alerts.raise(Severity.CRITICAL, "document-behind", peer, describe(peer, behind.get(peer), now)
                    + ": changes made since do not apply here; see the node's log for why");
        }
    }

    /** @param now monotonic ms @return a sentence for the status, or "" when this node is current */
    synchronized String status(long now) {
        StringBuilder sb = new StringBuilder();
        behind.entrySet().removeIf(e -> now - e.getValue().lastSeen() > FORGET_AFTER_MILLIS);
        behind.forEach((peer, b) -> {
            if (b.raised()) { // shown from the alert on, so the status and the alert agree
                sb.append(sb.length() == 0 ? "" : "; ").append(describe(peer, b, now));
            }
        });
        return sb.toString();
    }

    private static String describe(String peer, Behind b, long now) {
        return "this node cannot get the current cluster document: " + peer + " has version " + b.peerVersion()
                + ", this node " + b.localVersion() + " (for " + (now - b.since()) / 1000 + " s)";
    }
}
