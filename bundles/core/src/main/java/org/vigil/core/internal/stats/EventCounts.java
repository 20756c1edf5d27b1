package org.vigil.core.internal.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** How many cluster events of each kind this node raised since it started (node-lost, group-failover...). */
public final class EventCounts {

    /** Kinds come from the code, a few dozen; the bound only guards against a bug raising ever new kinds. */
    static final int MAX_KINDS = 200;

    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

    /** @param kind an event kind */
    public void count(String kind) {
        AtomicLong c = counts.get(kind);
        if (c == null) {
            if (counts.size() >= MAX_KINDS) {
                kind = "other";
            }
            c = counts.computeIfAbsent(kind, k -> new AtomicLong());
        }
        c.incrementAndGet();
    }

    /** @return the count of each kind raised at least once, by kind */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }
}
