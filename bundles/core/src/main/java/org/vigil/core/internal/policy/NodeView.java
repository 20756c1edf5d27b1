package org.vigil.core.internal.policy;

/**
 * One node as this node sees it.
 *
 * @param name        the node's name
 * @param membership  its membership state
 * @param onlineSince when it last became a member, on this node's monotonic clock (ms)
 * @param report      the last report heard from it (for this node itself: its own current report)
 */
public record NodeView(String name, Membership membership, long onlineSince, NodeReport report) {
}
