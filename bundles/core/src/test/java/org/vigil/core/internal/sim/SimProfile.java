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
 */
record SimProfile(String name, boolean crashes, boolean pathCuts, boolean lastPathCuts, boolean partitions,
        boolean freezes, double loss, double duplicate, int maxDelayMillis, double startFail, double stopFail,
        double hang, boolean resourceCrash, long faultMillis, boolean hastyCleanup) {

    /**
     * What Vigil without quorum promises to survive: crashes, cut paths while at least one path between every
     * two nodes still works, lost, duplicated and reordered frames, failing and hanging agents.
     */
    static final SimProfile SAFE = new SimProfile("safe", true, true, false, false, false, 0.03, 0.02, 15, 0.03, 0.02,
            0.02, true, 5000, false);

    /** Everything, including full partitions, cuts of the last path and freezes beyond the dead time. */
    static final SimProfile SPLIT = new SimProfile("split", true, true, true, true, true, 0.05, 0.02, 15, 0.03, 0.02,
            0.02, true, 5000, false);

    /**
     * SAFE, but the admin cleans up while another node may be starting the group: a more preferred node that
     * the cleanup un-bans starts the group before the other node's report of its start has reached it.
     */
    static final SimProfile HASTY_CLEANUP = new SimProfile("hasty-cleanup", true, true, false, false, false, 0.03,
            0.02, 15, 0.03, 0.02, 0.02, true, 5000, true);

    /** @param name a profile's name @return the profile */
    static SimProfile named(String name) {
        return switch (name) {
            case "safe" -> SAFE;
            case "split" -> SPLIT;
            case "hasty-cleanup" -> HASTY_CLEANUP;
            default -> throw new IllegalArgumentException("vigil.sim.profile: unknown profile '" + name
                    + "' (safe, split or hasty-cleanup)");
        };
    }
}
