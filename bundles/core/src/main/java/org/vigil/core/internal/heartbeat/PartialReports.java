package org.vigil.core.internal.heartbeat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vigil.core.internal.policy.NodeReport;

/**
 * What a liveness-only heartbeat (its groups did not fit the path) leaves of its sender's report. While a
 * complete report arrived recently (over another path) nothing changes. Once the last complete report is
 * older than a few heartbeat intervals, its groups may be stale: the sender is reported as not settled, so
 * that no node starts a group on what may be an old picture (running groups go on), until a complete report
 * arrives again.
 */
final class PartialReports {

    private record Last(long incarnation, NodeReport report, long at) {
    }

    private final Map<String, Last> last = new ConcurrentHashMap<>();

    /** @param sender a peer @param incarnation its incarnation @param report its complete report @param now ms */
    void complete(String sender, long incarnation, NodeReport report, long now) {
        last.put(sender, new Last(incarnation, report, now));
    }

    /**
     * @param sender      a peer that sent a liveness-only heartbeat
     * @param incarnation its incarnation
     * @param partial     what the heartbeat said (no groups)
     * @param now         ms
     * @param staleAfter  how old a complete report may be and still stand
     * @return the report to record, or null to keep the one recorded
     */
    NodeReport partial(String sender, long incarnation, NodeReport partial, long now, long staleAfter) {
        Last l = last.get(sender);
        if (l != null && l.incarnation() == incarnation && now - l.at() <= staleAfter) {
            return null;
        }
        NodeReport base = l != null && l.incarnation() == incarnation ? l.report() : NodeReport.NONE;
        return new NodeReport(partial.documentVersion(), base.types(), false, base.groups(), partial.quorate(),
                partial.selfFenceMillis(), partial.hears(), partial.publicNetwork());
    }
}
