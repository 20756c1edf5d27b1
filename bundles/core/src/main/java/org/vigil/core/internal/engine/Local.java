package org.vigil.core.internal.engine;

import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.ResourceState;

/** One resource on this node, as the engine thread sees it. Engine thread only. */
final class Local {

    final String name;
    ResourceDef def;
    String group;
    ResourceState state;
    long lastMonitor;
    String message = "";
    boolean degraded;
    ResourceHandler handler;
    ResourceDef handlerDef;
    ResourceType handlerType;
    InFlight op;

    Local(String name) {
        this.name = name;
    }

    /** @return true when it runs with parameters the document no longer holds (they apply at its next start) */
    boolean changedSinceStart() {
        return handler != null && handlerDef != null && def != null && state.isActive() && !def.equals(handlerDef);
    }
}
