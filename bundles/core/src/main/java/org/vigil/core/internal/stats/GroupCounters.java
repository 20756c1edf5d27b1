package org.vigil.core.internal.stats;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per group, what this node did: how often it took the group over from another node (a failover, or a switchover
 * the admin asked for) and how often it restarted it in place after a failed monitor. Each node counts only what
 * it did itself, so the sum over the nodes is the cluster's count.
 *
 * <p>A takeover is counted when the group becomes active here while the last node seen running it was another
 * one; a node that starts with nothing known of the group counts nothing (it cannot tell a takeover from a first
 * start).
 */
public final class GroupCounters {

    /**
     * @param failovers   takeovers from a node that failed or was lost
     * @param switchovers takeovers the admin asked for (a switchover to this node)
     * @param restarts    restarts in place after a failed monitor
     */
    public record Counts(long failovers, long switchovers, long restarts) {
        static final Counts ZERO = new Counts(0, 0, 0);
    }

    private final Map<String, Counts> counts = new TreeMap<>();
    /** Per group, the node last seen running it (this node included). */
    private final Map<String, String> lastHolder = new TreeMap<>();

    /**
     * One look at where the groups run (every engine tick).
     *
     * @param self      this node
     * @param activeOn  per group of the document, the nodes (up) that run it
     * @param switching the groups whose switchover request names this node
     */
    public synchronized void observe(String self, Map<String, Set<String>> activeOn, Set<String> switching) {
        lastHolder.keySet().retainAll(activeOn.keySet());
        counts.keySet().retainAll(activeOn.keySet());
        activeOn.forEach((g, on) -> {
            String before = lastHolder.get(g);
            if (on.contains(self)) {
                if (before != null && !before.equals(self)) {
                    Counts c = counts.getOrDefault(g, Counts.ZERO);
                    counts.put(g, switching.contains(g) ? new Counts(c.failovers, c.switchovers + 1, c.restarts)
                            : new Counts(c.failovers + 1, c.switchovers, c.restarts));
                }
                lastHolder.put(g, self);
            } else if (on.size() == 1) {
                lastHolder.put(g, on.iterator().next());
            }
        });
    }

    /** @param group a group this node restarts in place */
    public synchronized void restarted(String group) {
        Counts c = counts.getOrDefault(group, Counts.ZERO);
        counts.put(group, new Counts(c.failovers, c.switchovers, c.restarts + 1));
    }

    /** @param group a group @return what this node did with it */
    public synchronized Counts of(String group) {
        return counts.getOrDefault(group, Counts.ZERO);
    }
}
