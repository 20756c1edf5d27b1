package org.vigil.api.resource;

import java.util.Objects;

/**
 * The outcome of one resource operation: a {@link ResultCode} and a message for the admin.
 *
 * @param code    what happened; never null
 * @param message a short, human-readable explanation (empty for plain success); never null
 */
public record OperationResult(ResultCode code, String message) {

    private static final OperationResult OK = new OperationResult(ResultCode.OK, "");
    private static final OperationResult NOT_RUNNING = new OperationResult(ResultCode.NOT_RUNNING, "");

    /** Canonical constructor; rejects a null code and turns a null message into an empty one. */
    public OperationResult {
        Objects.requireNonNull(code, "code");
        message = message == null ? "" : message;
    }

    /** @return a plain success */
    public static OperationResult ok() {
        return OK;
    }

    /** @param message why the resource counts as healthy; @return a success with an explanation */
    public static OperationResult ok(String message) {
        return new OperationResult(ResultCode.OK, message);
    }

    /** @return the monitor outcome for a cleanly stopped resource */
    public static OperationResult notRunning() {
        return NOT_RUNNING;
    }

    /** @param message why; @return the monitor outcome for a cleanly stopped resource */
    public static OperationResult notRunning(String message) {
        return new OperationResult(ResultCode.NOT_RUNNING, message);
    }

    /** @param message what failed; @return a failure */
    public static OperationResult failed(String message) {
        return new OperationResult(ResultCode.FAILED, message);
    }

    /** @param message which parameter is wrong and why; @return a configuration error */
    public static OperationResult notConfigured(String message) {
        return new OperationResult(ResultCode.NOT_CONFIGURED, message);
    }

    /** @param message what is missing on this node; @return an installation error */
    public static OperationResult notInstalled(String message) {
        return new OperationResult(ResultCode.NOT_INSTALLED, message);
    }

    /** @param message what is degraded; @return a degraded-but-running monitor outcome */
    public static OperationResult degraded(String message) {
        return new OperationResult(ResultCode.DEGRADED, message);
    }

    /** @return true for {@link ResultCode#OK} */
    public boolean isOk() {
        return code == ResultCode.OK;
    }

    @Override
    public String toString() {
        return message.isEmpty() ? code.name() : code + ": " + message;
    }
}
