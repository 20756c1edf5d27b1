package org.vigil.core.internal.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Immutable copies that iterate in key order, for what decides behaviour or order (reports, snapshots,
 * quorum sides). {@code Map.copyOf} and {@code Set.copyOf} iterate in an order salted per JVM run,
 * so the same inputs could be handled in a different order by another JVM, and a simulation seed would
 * not replay there. Like them, these refuse null keys, elements and values.
 */
public final class Sorted {

    private Sorted() {
    }

    /** @param m a map without nulls @return an unmodifiable copy iterating in key order */
    public static <K extends Comparable<? super K>, V> NavigableMap<K, V> copyOf(Map<? extends K, ? extends V> m) {
        TreeMap<K, V> t = new TreeMap<>();
        m.forEach((k, v) -> {
            if (v == null) {
                throw new NullPointerException("no value for " + k);
            }
            t.put(Objects.requireNonNull(k, "key"), v);
        });
        return Collections.unmodifiableNavigableMap(t);
    }

    /** @param c elements without null @return an unmodifiable set of them iterating in natural order */
    public static <E extends Comparable<? super E>> NavigableSet<E> copyOf(Collection<? extends E> c) {
        TreeSet<E> t = new TreeSet<>();
        for (E e : c) {
            t.add(Objects.requireNonNull(e, "element"));
        }
        return Collections.unmodifiableNavigableSet(t);
    }
}
