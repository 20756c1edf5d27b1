package org.vigil.core.internal;

/**
 * Quorum is on unless the admin turns it off in so many words ({@code quorum = off}). With quorum on and no members
 * listed in {@code cluster.nodes}, a node that has a heartbeat path (so it means to be in a cluster) would run its
 * groups on both sides of a partition: it runs nothing instead, and says what to write. A node without any heartbeat
 * path is a one-node cluster and needs no quorum. Listing the members always turns quorum on: {@code quorum = off}
 * beside them is ignored (with a warning), since the safe reading of a contradiction is the one that cannot start a
 * group twice.
 */
final class QuorumMode {

    private QuorumMode() {
    }

    /**
     * @param value the {@code quorum} setting as written
     * @return true for off, false for on
     * @throws IllegalArgumentException naming the value when it is neither
     */
    static boolean off(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "on", "" -> false;
            case "off" -> true;
            default -> throw new IllegalArgumentException("quorum = '" + value.trim() + "' must be on or off");
        };
    }

    /**
     * @param off            {@code quorum = off}
     * @param membersListed  {@code cluster.nodes} names the members
     * @param pathConfigured at least one heartbeat path is configured on this node
     * @return why the node must run nothing, or null
     */
    static String problem(boolean off, boolean membersListed, boolean pathConfigured) {
        if (off || membersListed || !pathConfigured) {
            return null;
        }
        return "quorum is on (the default) but cluster.nodes is empty: list the cluster's members in etc/org.vigil.node.cfg,"
                + " the same on every node (cluster.nodes = node1, node2; with two, a tie-breaker such as quorum.tiebreaker ="
                + " ping), or set quorum = off to run without split-brain protection; until then this node runs nothing";
    }
}
