package org.vigil.core.internal.engine;

import java.util.List;
import java.util.Map;
import org.vigil.core.internal.policy.Decision;
import org.vigil.core.internal.policy.ResourceState;
import org.vigil.core.internal.policy.Snapshot;

/**
 * An immutable picture of the engine for the shell and tests, published after every tick.
 *
 * @param snapshot        what the policy saw
 * @param decision        what it decided
 * @param settled         whether the start-up wait is over
 * @param notReadyReason  why this node runs nothing, or null
 * @param resources       this node's resources
 * @param recentFailures  the latest failures on this node, oldest first
 */
public record EngineStatus(Snapshot snapshot, Decision decision, boolean settled, String notReadyReason,
        Map<String, LocalLine> resources, List<String> recentFailures) {

    /**
     * One resource on this node.
     *
     * @param name      the resource
     * @param group     its group
     * @param type      its type
     * @param state     its state here
     * @param degraded  true when its last monitor said degraded
     * @param message   the last message from its agent
     * @param operation the operation under way, or null
     */
    public record LocalLine(String name, String group, String type, ResourceState state, boolean degraded,
            String message, String operation) {
    }
}
