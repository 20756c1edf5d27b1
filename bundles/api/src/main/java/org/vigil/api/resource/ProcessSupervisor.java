package org.vigil.api.resource;

import java.io.IOException;
import java.nio.file.Path;
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
}
