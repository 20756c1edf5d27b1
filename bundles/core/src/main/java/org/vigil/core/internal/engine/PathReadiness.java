package org.vigil.core.internal.engine;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A node none of whose configured heartbeat paths is open hears no one and is heard by no one: whatever it starts may
 * already run elsewhere, so it starts nothing (with quorum off as well) until a path opens. A node with no path
 * configured at all is a one-node cluster and is not held back.
 */
public final class PathReadiness {

    private PathReadiness() {
    }

    /**
     * @param paths every configured path's state, by name
     * @return why the node must start nothing (naming each path and why it is not open), or null when a path is open
     *         or none is configured
     */
    public static String problem(Map<String, HeartbeatIo.PathStatus> paths) {
        if (paths.isEmpty() || paths.values().stream().anyMatch(p -> "open".equals(p.state()))) {
            return null;
        }
        return "no open heartbeat path (" + paths.values().stream()
                .map(p -> p.name() + ": " + p.state() + (p.detail() == null || p.detail().isEmpty() ? "" : ", " + p.detail()))
                .collect(Collectors.joining("; ")) + "): this node starts nothing until one opens";
    }
}
