package org.vigil.core.internal.engine;

import java.lang.reflect.Field;
import org.vigil.core.internal.ClusterNode;

/** Reaches a test node's engine (to freeze its thread as SIGSTOP would). */
final class EngineAccess {

    private EngineAccess() {
    }

    static Engine engine(ClusterNode n) throws ReflectiveOperationException {
        Field f = ClusterNode.class.getDeclaredField("engine");
        f.setAccessible(true);
        return (Engine) f.get(n);
    }
}
