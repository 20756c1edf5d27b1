package org.vigil.core.internal.sim;

/**
 * Which faults a simulated run draws from its seed, and how hard.
 *
 * @param name           the profile's name, as given to {@code -Dvigil.sim.profile}
 * @param crashes        nodes crash (everything they started dies with them) and restart later
 * @param pathCuts       single heartbeat paths between two nodes are cut and healed
 * @param lastPathCuts   a path cut may take the last working path between two nodes (otherwise one always stays)
 * @param partitions     the nodes split into two sides that hear nothing of each other
 * @param freezes        a node's process stops (SIGSTOP) for a while, then resumes and sees the time jump
 * @param loss           probability that one frame on one path is lost
 * @param duplicate      probability that a frame arrives twice
 * @param maxDelayMillis frames take 1..this many ms, so they overtake each other
 * @param startFail      probability that a start fails
 * @param stopFail       probability that a stop fails (the resource may still run)
 * @param hang           probability that an operation hangs, often beyond its timeout
 * @param resourceCrash  resources die on their own (the next monitor finds them failed)
 * @param faultMillis    how long faults are drawn; then everything heals and the cluster must converge
 * @param hastyCleanup   the admin runs vigil:cleanup at a fixed time even while a node is starting or stopping
 *                       something; otherwise the admin waits until the status shows nothing under way
 * @param quorum         quorum is configured: every node named in cluster.nodes with one vote, a simulated
 *                       witness as tie-breaker when the count is even, quorum.loss.stop.ms 2.5 s
 * @param ping           two nodes with quorum and the ping tie-breaker (a simulated gateway and public addresses,
 *                       read by the real {@code PingTieBreaker} at every tick, so the lease rests on its verdict);
 *                       adds faults of the public network: a node's public link cut, a node cut off entirely
 */
record SimProfile(String name, boolean crashes, boolean pathCuts, boolean lastPathCuts, boolean partitions,
        boolean freezes, double loss, double duplicate, int maxDelayMillis, double startFail, double stopFail,
        double hang, boolean resourceCrash, long faultMillis, boolean hastyCleanup, boolean quorum, boolean ping) {

    /**
     * What Vigil without quorum promises to survive: crashes, cut paths while at least one path between every
     * two nodes still works, lost, duplicated and reordered frames, failing and hanging agents.
     */
    static final SimProfile SAFE = new SimProfile("safe", true, true, false, false, false, 0.03, 0.02, 15, 0.03, 0.02,
            0.02, true, 5000, false, false, false);

    /** Everything, including full partitions, cuts of the last path and freezes beyond the dead time. */
    static final SimProfile SPLIT = new SimProfile("split", true, true, true, true, true, 0.05, 0.02, 15, 0.03, 0.02,
            0.02, true, 5000, false, false, false);

    /**
     * SAFE, but the admin cleans up while another node may be starting the group: a more preferred node that
     * the cleanup un-bans starts the group before the other node's report of its start has reached it.
     */
    static final SimProfile HASTY_CLEANUP = new SimProfile("hasty-cleanup", true, true, false, false, false, 0.03,
            0.02, 15, 0.03, 0.02, 0.02, true, 5000, true, false, false);

    /** SAFE with quorum configured: quorum must not cost safety or the convergence after healing. */
    static final SimProfile SAFE_QUORUM = new SimProfile("safe-quorum", true, true, false, false, false, 0.03, 0.02,
            15, 0.03, 0.02, 0.02, true, 5000, false, true, false);

    /**
     * SPLIT with quorum configured. No failing or hanging agents: without a fence device, a node that cannot
     * stop a resource breaks its self-fencing promise, and the other side starts the group after the bound
     * all the same (the engine raises self-fence-late; the answer is a fence device). Freezes stay shorter than
     * the dead time plus quorum.loss.stop.ms less a second, for the same reason: a frozen node cannot stop anything.
     */
    static final SimProfile SPLIT_QUORUM = new SimProfile("split-quorum", true, true, true, true, true, 0.05, 0.02,
            15, 0.03, 0, 0, true, 5000, false, true, false);

    /** For diagnosis: quorum, with crashes and full partitions only (no cuts, freezes, loss or failing agents). */
    static final SimProfile PARTITIONS_QUORUM = new SimProfile("partitions-quorum", true, false, false, true, false, 0,
            0, 15, 0, 0, 0, false, 5000, false, true, false);

    /** For diagnosis: quorum, with freezes only. */
    static final SimProfile FREEZES_QUORUM = new SimProfile("freezes-quorum", false, false, false, false, true, 0, 0, 15,
            0, 0, 0, false, 5000, false, true, false);

    /**
     * Two nodes, quorum, the lease resting on the ping tie-breaker's instant verdict, the fast stop: machine crashes
     * and restarts, heartbeat paths cut (both, one, one way), public links cut, nodes cut off entirely, freezes
     * shorter and longer than the dead time, lost, duplicated and reordered frames, resources that die. No failing
     * or hanging agents (as split-quorum: without a fence device a failed stop breaks any promise).
     */
    static final SimProfile LEASE_PING = new SimProfile("lease-ping", true, true, true, true, true, 0.05, 0.02, 15, 0.03,
            0, 0, true, 5000, false, true, true);

    /** @param name a profile's name @return the profile */
    static SimProfile named(String name) {
        return switch (name) {
            case "safe" -> SAFE;
            case "split" -> SPLIT;
            case "hasty-cleanup" -> HASTY_CLEANUP;
            case "safe-quorum" -> SAFE_QUORUM;
            case "split-quorum" -> SPLIT_QUORUM;
            case "partitions-quorum" -> PARTITIONS_QUORUM;
            case "freezes-quorum" -> FREEZES_QUORUM;
            case "lease-ping" -> LEASE_PING;
            default -> throw new IllegalArgumentException("vigil.sim.profile: unknown profile '" + name
                    + "' (safe, split, hasty-cleanup, safe-quorum, split-quorum, "
                    + "partitions-quorum, freezes-quorum or lease-ping)");
        };
    }
}
