package org.vigil.api.resource;

/**
 * Manages one configured resource on one node. Created by {@link ResourceType#createHandler}; the core
 * calls one operation at a time on it, on a thread of its own, and abandons a call at its timeout.
 *
 * <p>All three operations are idempotent. None may throw for an expected failure: report it with a
 * {@link ResultCode}. An exception that escapes is counted as {@link ResultCode#FAILED}.
 */
public interface ResourceHandler {

    /**
     * Brings the resource up on this node and returns once it serves.
     *
     * @param op the operation's time budget
     * @return {@link ResultCode#OK} when it runs (also when it already ran); an error code otherwise
     */
    OperationResult start(OperationContext op);

    /**
     * Takes the resource down on this node and returns once nothing of it is left running.
     *
     * @param op the operation's time budget
     * @return {@link ResultCode#OK} when it is stopped (also when it never ran); {@link ResultCode#FAILED}
     *         when something of it may still be running
     */
    OperationResult stop(OperationContext op);

    /**
     * Checks the resource. Also used as the probe that finds out whether a resource already runs.
     *
     * @param op the operation's time budget
     * @return {@link ResultCode#OK} or {@link ResultCode#DEGRADED} when it runs,
     *         {@link ResultCode#NOT_RUNNING} when it is cleanly stopped, another code when it has failed
     */
    OperationResult monitor(OperationContext op);
}
