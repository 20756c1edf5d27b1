package org.vigil.core.internal.heartbeat;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A node none of whose configured heartbeat paths could be opened (each invalid, failing to open, or waiting for its
 * transport) hears no one and is heard by no one because of its own configuration: whatever it starts may already run
 * elsewhere, so it starts nothing (with quorum off as well) until a path opens. A path that is open but whose link is
 * down ({@code link-down}: a cable pulled, or the peer at the other end of a back-to-back cable lost power) is the
 * network's state, not the node's configuration: membership and quorum decide what that means, exactly as for a peer
 * that stops answering. Holding the node back then would keep the survivor of a power loss from taking over. A node
 * with no path configured at all is a one-node cluster and is not held back.
 */
public final class PathReadiness {

    private PathReadiness() {
    }

    /**
     * @param paths every configured path's state, by name
     * @return why the node must start nothing (naming each path and why it is not open), or null when a path is open
     *         or none is configured
     */
    public static String problem(Map<String, PathStatus> paths) {
        if (paths.isEmpty() || paths.values().stream().anyMatch(p -> p.state().opened())) {
            return null;
        }
        return "no open heartbeat path (" + paths.values().stream()
                .map(p -> p.name() + ": " + p.state() + (p.detail() == null || p.detail().isEmpty() ? "" : ", " + p.detail()))
                .collect(Collectors.joining("; ")) + "): this node starts nothing until one opens";
    }
}
