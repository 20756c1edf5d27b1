package org.vigil.api.resource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts and keeps track of the long-running programs of one resource. Provided by the core through
 * {@link ResourceContext#processes()}, already scoped to the resource.
 *
 * <p>Every program started here runs in its own process group and is tied to the node process by a
 * lifeline: when the node process dies, even by {@code kill -9}, the whole group is killed, so a program
 * never runs on unsupervised beside the copy another node starts. A program must stay in the
 * foreground (not daemonize) for this to hold.
 *
 * <p>What a resource holds in the kernel (a virtual address, a mount) outlives the node process the same way.
 * {@link #guard(String, List, Duration)} declares a <em>release action</em> for it: a command the core runs
 * when the node process dies with the thing still held, and never otherwise (see there).
 */
public interface ProcessSupervisor {

    /**
     * Starts a program, or returns the one already running under this key.
     *
     * @param key         names the program within the resource (for example {@code main})
     * @param command     the argument vector; the first element is the executable
     * @param environment variables added to the node's environment
     * @param workingDir  the working directory, or null for the resource's state directory
     * @param logFile     where standard output and error are appended, or null to discard them
     * @return the running program
     * @throws IOException when the program cannot be started
     */
    SupervisedProcess start(String key, List<String> command, Map<String, String> environment, Path workingDir,
            Path logFile) throws IOException;

    /** @param key the program's key; @return the program started under this key, if the core still tracks one */
    Optional<SupervisedProcess> find(String key);

    /** @param key the program's key; forgets an ended program so a later start begins afresh */
    void forget(String key);

    /**
     * Declares a release action: {@code onNodeDeath} runs on this node when the node process dies while the
     * declaration stands (even by {@code kill -9}, the OOM killer or a JVM crash), so that what the resource
     * holds in the kernel leaves with the node process, as its programs do. Declare it right after taking the
     * thing (for example after {@code ip addr add}); withdraw it with {@link #withdrawGuard(String)} once the
     * agent released the thing itself (a normal stop). Typical action: the very command the agent's stop uses.
     *
     * <p>Why: another node's start refuses a thing this node still holds (a duplicate-address check, a
     * reservation), and rightly so; a thing left behind by a dead node process is held by nobody who
     * supervises it. With the action, it leaves with the process, and the other node's checks pass.
     *
     * <p>How: a guard process per declaration, in its own session, blocked on a pipe whose only writer is the
     * node process. What each path does:
     * <ul>
     * <li>The node process dies, by any cause: the kernel closes the pipe; the guard runs the action at once,
     * bounded by {@code timeout} (TERM, then KILL 2 s later), its output appended to {@code release-KEY.log}
     * in the resource's state directory.</li>
     * <li>{@link #withdrawGuard(String)}, a declaration replaced under the same key, or the core stopping
     * (a clean node stop, after its groups were stopped): the core tells the guard, which ends without
     * running anything. An action therefore never runs while the node process lives.</li>
     * <li>The guard is signalled: TERM, HUP, INT and the other catchable signals are ignored; KILL ends it
     * without running the action (the resource is then unguarded until it is declared again: a declaration
     * under the same key whose guard has ended starts a new one).</li>
     * </ul>
     * A new node process on the same node waits (at most 65 s) until the actions of the previous one ended. The action
     * runs with the node's environment, standard input {@code /dev/null}; it must be idempotent and must act on
     * this node only (removing an address that is already gone succeeds or fails harmlessly).
     *
     * <p>Declaring the same command and timeout again under a key is a no-op while its guard runs.
     *
     * @param key         names the declaration within the resource (letters, digits, '.', '_', '-')
     * @param onNodeDeath the argument vector to run; the first element is the executable
     * @param timeout     how long the action may run, more than zero and at most one minute
     * @throws IOException              when the guard process cannot be started (the thing is then unguarded)
     * @throws IllegalArgumentException for an invalid key, an empty command or a timeout out of range
     * @since 1.2
     */
    default void guard(String key, List<String> onNodeDeath, Duration timeout) throws IOException {
        throw new UnsupportedOperationException("this node's core does not offer release guards");
    }

    /**
     * Withdraws the release action declared under {@code key}: its guard ends and the action never runs.
     * Does nothing when none is declared.
     *
     * @param key the declaration's key
     * @since 1.2
     */
    default void withdrawGuard(String key) {
    }
}
