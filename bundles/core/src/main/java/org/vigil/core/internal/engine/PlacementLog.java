package org.vigil.core.internal.engine;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.core.internal.policy.Decision;

/** Logs why each group is placed where it is, once per change, not every tick. Engine thread only. */
final class PlacementLog {

    // The engine's logger, as before this was a class of its own: admins grep for these lines.
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private Map<String, Decision.Placement> last = Map.of();

    /** @param d this tick's decision: each group whose placement changed since the last call is logged */
    void log(Decision d) {
        if (!d.placements().equals(last)) {
            d.placements().forEach((g, p) -> {
                if (!p.equals(last.get(g))) {
                    LOG.info("group {}: {}", g, p.reason());
                }
            });
            last = d.placements();
        }
    }
}
