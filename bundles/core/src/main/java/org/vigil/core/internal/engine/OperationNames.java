package org.vigil.core.internal.engine;

import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;
import org.vigil.core.internal.policy.Action;

/** The names and outcomes of resource operations, as the operation timings report them. */
final class OperationNames {

    private OperationNames() {
    }

    /** @param a a resource operation @return start, stop, monitor or probe */
    static String of(Action a) {
        if (a instanceof Action.Start) {
            return "start";
        }
        if (a instanceof Action.Stop || a instanceof Action.StopOrphan) {
            return "stop";
        }
        return a instanceof Action.Probe ? "probe" : "monitor";
    }

    /** @return true when the operation did what it was for (a probe: it found out the state) */
    static boolean succeeded(Action a, OperationResult r) {
        return switch (of(a)) {
            case "stop" -> r.isOk();
            case "probe" -> r.code().isRunning() || r.code() == ResultCode.NOT_RUNNING;
            default -> r.code().isRunning();
        };
    }
}
