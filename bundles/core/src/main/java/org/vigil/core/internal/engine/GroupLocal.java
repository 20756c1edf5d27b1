package org.vigil.core.internal.engine;

import java.util.ArrayDeque;
import java.util.Deque;

/** One group's failure history on this node. Engine thread only. */
final class GroupLocal {

    final Deque<Long> failures = new ArrayDeque<>();
    String banned; // reason, or null
    long cleanupSeen = -1;
    String lastNote = "";
    boolean maintenance;
}
