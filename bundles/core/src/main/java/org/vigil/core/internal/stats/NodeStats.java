package org.vigil.core.internal.stats;

import java.util.List;
import java.util.Map;

/**
 * What the status reports of this node's counters at one instant.
 *
 * @param events     events raised, by kind
 * @param groups     the group counters
 * @param operations resource operation durations
 * @param links      per peer and path
 */
public record NodeStats(Map<String, Long> events, GroupCounters groups, List<OperationTimes.Line> operations,
        List<LinkStats.Line> links) {

    /** No counters (a test fake of the cluster service). */
    public static final NodeStats NONE = new NodeStats(Map.of(), new GroupCounters(), List.of(), List.of());
}
