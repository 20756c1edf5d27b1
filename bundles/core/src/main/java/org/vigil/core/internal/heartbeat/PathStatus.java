package org.vigil.core.internal.heartbeat;

import org.vigil.core.internal.membership.PathCounters;

/**
 * One path's state for the status.
 *
 * @param name     the path
 * @param type     its transport kind
 * @param state    open, link down, waiting for its transport, invalid, or failed
 * @param detail   why, when not open
 * @param counters what it received and rejected
 */
public record PathStatus(String name, String type, PathState state, String detail, PathCounters counters) {
}
