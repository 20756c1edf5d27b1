package org.vigil.core.internal.engine;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.vigil.core.internal.policy.Decision;

/**
 * The groups this node restarts in place, and the one retry a start gets when its program could not be
 * launched at all. Engine thread only.
 *
 * <p>A group restarting in place is reported as held here ({@link org.vigil.core.internal.policy.GroupReport#restarting()})
 * from the failure until all its resources run again: between the stop of the failed resource and its start
 * nothing of the group may run, and without the hold every node would see the group nowhere and place it
 * anew, forgetting that it sticks to this node. The hold ends when the group runs again, when it is banned
 * here, or when the placement sends it elsewhere (a switchover, a bring-out).
 */
final class InPlaceRestarts {

    private final Set<String> holding = new HashSet<>();
    private final Set<String> launchRetried = new HashSet<>();

    /** @param group a group whose failed resource this node is about to restart here */
    void begin(String group) {
        holding.add(group);
    }

    /** @param group a group that may no longer run here (banned) */
    void release(String group) {
        holding.remove(group);
    }

    /** @param group a group; @return true while this node holds it for a restart in place */
    boolean holds(String group) {
        return holding.contains(group);
    }

    /**
     * A start failed because its program could not be launched at all (an I/O error of the launch on this
     * node, not the program failing). The first such failure of a resource is retried in place; the next one
     * bans the group as any failed start does.
     *
     * @param resource the resource whose start failed so
     * @return true when this is the first such failure since the resource last started: retry
     */
    boolean retryLaunch(String resource) {
        return launchRetried.add(resource);
    }

    /** @param resource a resource that started: its next launch failure is retried again */
    void started(String resource) {
        launchRetried.remove(resource);
    }

    /**
     * Ends the holds the policy's decision no longer needs.
     *
     * @param decision  the policy's decision of this round
     * @param node      this node
     * @param isRunning tells whether every resource of a group runs here
     */
    void afterDecision(Decision decision, String node, Predicate<String> isRunning) {
        Map<String, Decision.Placement> placements = decision.placements();
        holding.removeIf(g -> {
            Decision.Placement p = placements.get(g);
            return p == null || !node.equals(p.target()) || isRunning.test(g);
        });
    }
}
