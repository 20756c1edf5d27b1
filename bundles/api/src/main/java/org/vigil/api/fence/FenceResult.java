package org.vigil.api.fence;

import java.util.Objects;

/**
 * The outcome of a fence request.
 *
 * @param outcome what the agent can vouch for
 * @param message a short explanation for the admin
 */
public record FenceResult(Outcome outcome, String message) {

    /** What a fence agent can vouch for after a request. */
    public enum Outcome {
        /** The node is off (or cut off) for certain: its resources may start elsewhere. */
        NODE_OFF,
        /** The node is on (a {@link FenceAction#STATUS} answer, or a completed reboot). */
        NODE_ON,
        /** The request failed: nothing is certain about the node. */
        FAILED
    }

    /** Canonical constructor. */
    public FenceResult {
        Objects.requireNonNull(outcome, "outcome");
        message = message == null ? "" : message;
    }
}
