package org.vigil.core.internal.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long each resource's operations (start, stop, monitor, probe) took on this node: count, sum, last and
 * longest, from hand-over to a worker to the result (a timed-out operation counts with its timeout).
 */
public final class OperationTimes {

    /**
     * One resource's figures for one operation.
     *
     * @param resource    the resource
     * @param operation   start, stop, monitor or probe
     * @param count       operations finished
     * @param failed      of which did not succeed
     * @param millisSum   their total duration
     * @param lastMillis  the last one's duration
     * @param maxMillis   the longest
     */
    public record Line(String resource, String operation, long count, long failed, long millisSum, long lastMillis,
            long maxMillis) {
    }

    private static final class Acc {
        long count;
        long failed;
        long sum;
        long last;
        long max;
    }

    private final Map<String, Map<String, Acc>> byResource = new TreeMap<>();

    /**
     * @param resource  the resource
     * @param operation start, stop, monitor or probe
     * @param millis    how long it took
     * @param ok        whether it succeeded
     */
    public synchronized void record(String resource, String operation, long millis, boolean ok) {
        Acc a = byResource.computeIfAbsent(resource, r -> new TreeMap<>()).computeIfAbsent(operation, o -> new Acc());
        long ms = Math.max(0, millis);
        a.count++;
        a.failed += ok ? 0 : 1;
        a.sum += ms;
        a.last = ms;
        a.max = Math.max(a.max, ms);
    }

    /** @return every resource's figures, by resource then operation */
    public synchronized List<Line> lines() {
        List<Line> out = new ArrayList<>();
        byResource.forEach((r, ops) -> ops.forEach((o, a) -> out.add(new Line(r, o, a.count, a.failed, a.sum, a.last,
                a.max))));
        return out;
    }
}
