package org.vigil.core.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The plug-in services of one kind that Declarative Services has bound: kept while no node runs (they are bound before
 * activation) and handed to the running node's parts as they come and go. One lock per kind, so a service bound while
 * the node attaches is handed over exactly once.
 *
 * @param <T> what is kept per service
 */
final class Bindings<T> {

    private static final Consumer<Object> NOTHING = t -> { };

    private final Function<T, Object> key;
    private final List<T> items = new ArrayList<>();
    private Consumer<? super T> added = NOTHING;
    private Consumer<? super T> removed = NOTHING;

    /** Each item is its own key. */
    Bindings() {
        this(t -> t);
    }

    /** @param key what {@link #unbind} is given to find an item (the service, when an item carries more) */
    Bindings(Function<T, Object> key) {
        this.key = key;
    }

    /** @param item a service just bound, handed on to the running node if one is attached */
    synchronized void bind(T item) {
        items.add(item);
        added.accept(item);
    }

    /** @param k the key of a service going away, taken from the running node if one is attached */
    synchronized void unbind(Object k) {
        for (Iterator<T> it = items.iterator(); it.hasNext();) {
            T item = it.next();
            if (Objects.equals(key.apply(item), k)) {
                it.remove();
                removed.accept(item);
                return;
            }
        }
    }

    /**
     * Hands every service bound so far, and from now on each that comes and goes, to a running node.
     *
     * @param onAdd    takes a service
     * @param onRemove lets one go
     */
    synchronized void attach(Consumer<? super T> onAdd, Consumer<? super T> onRemove) {
        added = onAdd;
        removed = onRemove;
        items.forEach(onAdd);
    }

    /** Stops handing services on (the node stopped); they are still kept. */
    synchronized void detach() {
        added = NOTHING;
        removed = NOTHING;
    }

    /** @return the services bound now, in the order they came */
    synchronized List<T> items() {
        return List.copyOf(items);
    }
}
