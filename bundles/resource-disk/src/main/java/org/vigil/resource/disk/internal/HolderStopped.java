package org.vigil.resource.disk.internal;

import java.util.Optional;
import org.vigil.api.resource.ResourceContext;

/**
 * What the core has proven about the node a reservation names: that it stopped, so its reservation may be taken
 * over at once instead of after a lease without renewal.
 *
 * <p>From the core ({@link #of}): fenced or confirmed down ({@code ResourceContext.isFenced}), or the proofs of
 * {@code ResourceContext.stopProof} (also left cleanly, and with quorum its lease or self-fencing bound passed),
 * valid while that node has not been heard since. A core older than API 1.3 proves only fencing.
 */
@FunctionalInterface
interface HolderStopped {

    /** No proofs: every holder is waited out. */
    HolderStopped NONE = node -> Optional.empty();

    /**
     * @param node the holder named in the reservation record
     * @return the proof as a clause for the start message ("which has been fenced", "which the cluster proved
     *         stopped (...), without waiting out its reservation lease"), or empty when that node is not known to
     *         have stopped
     */
    Optional<String> proof(String node);

    /** @param context the resource's context; @return the core's proofs as the agent tells them */
    static HolderStopped of(ResourceContext context) {
        return node -> context.isFenced(node) ? Optional.of("which has been fenced")
                : context.stopProof(node).map(p -> "which the cluster proved stopped (" + p.detail() + "), without"
                        + " waiting out its reservation lease");
    }
}
