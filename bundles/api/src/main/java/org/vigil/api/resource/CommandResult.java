package org.vigil.api.resource;

/**
 * The outcome of a short command run through {@link ResourceContext#run}.
 *
 * @param exitCode the exit status, or -1 when the command was killed at its timeout
 * @param stdout   what it printed on standard output (bounded)
 * @param stderr   what it printed on standard error (bounded)
 * @param timedOut true when the command did not finish in time and was killed
 */
public record CommandResult(int exitCode, String stdout, String stderr, boolean timedOut) {

    /** @return true when the command finished in time with exit status 0 */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** @return a one-line account of a failure, for an {@link OperationResult} message */
    public String describeFailure() {
        if (timedOut) {
            return "timed out";
        }
        String err = stderr.isBlank() ? stdout.strip() : stderr.strip();
        int nl = err.indexOf('\n');
        if (nl >= 0) {
            err = err.substring(0, nl);
        }
        return "exit " + exitCode + (err.isEmpty() ? "" : ": " + err);
    }
}
