package org.vigil.core.internal.exec;

import java.nio.file.Path;
import java.util.Set;
import org.vigil.api.resource.ProcessSupervisor;

/**
 * Owns every long-running program the node's resources started, keyed by resource name and program key.
 * Lives as long as the core component, so programs survive their agent bundle being updated or removed.
 * (Skeleton: to be implemented.)
 */
public final class ProcessRegistry implements AutoCloseable {

    /** @param runDir a directory for the registry's own files (for example lifeline scripts) */
    public ProcessRegistry(Path runDir) {
    }

    /**
     * @param resourceName the resource whose programs the supervisor manages
     * @param defaultWorkingDir the working directory used when a start names none
     * @return the supervisor scoped to that resource
     */
    public ProcessSupervisor supervisorFor(String resourceName, Path defaultWorkingDir) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return the names of the resources that have at least one live program */
    public Set<String> resourcesWithLivePrograms() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Cuts every lifeline: every program still running is killed with its process group. */
    @Override
    public void close() {
    }
}
