package org.vigil.core.internal.engine;

import org.vigil.core.internal.ClusterNode;

/** Reaches a test node's engine (to freeze its thread as SIGSTOP would). */
final class EngineAccess {

    private EngineAccess() {
    }

    static Engine engine(ClusterNode n) {
        return n.running().engine();
    }
}
