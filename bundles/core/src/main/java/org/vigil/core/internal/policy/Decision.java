package org.vigil.core.internal.policy;

import java.util.List;
import java.util.Map;

/**
 * What the policy decided.
 *
 * @param actions    what this node must do now, in order
 * @param placements for every group, where it should run and why
 */
public record Decision(List<Action> actions, Map<String, Placement> placements) {

    /**
     * Where a group should run, as this node computes it; every node computes the same from the same view.
     *
     * @param target the node that should run it, or null for none
     * @param reason why, in the admin's words
     */
    public record Placement(String target, String reason) {
    }
}
