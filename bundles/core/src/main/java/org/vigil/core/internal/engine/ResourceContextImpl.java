package org.vigil.core.internal.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.exec.CommandRunner;
import org.vigil.core.internal.exec.ProcessRegistry;

/** What the core hands one resource's handler. */
final class ResourceContextImpl implements ResourceContext {

    private final java.util.function.Predicate<String> fenced;
    private final BiFunction<String, String, Optional<StopProof>> stopProofs;

    private final String resource;
    private final String group;
    private final String node;
    private final Map<String, String> params;
    private final Path stateDir;
    private final ProcessRegistry registry;

    ResourceContextImpl(String resource, String group, String node, Map<String, String> params, Path stateDir,
            ProcessRegistry registry) {
        this(resource, group, node, params, stateDir, registry, n -> false, (g, n) -> Optional.empty());
    }

    /**
     * @param fenced     whether a node is known fenced ({@link #isFenced})
     * @param stopProofs by group and node, the proof that the node stopped the group ({@link #stopProof})
     */
    ResourceContextImpl(String resource, String group, String node, Map<String, String> params, Path stateDir,
            ProcessRegistry registry, java.util.function.Predicate<String> fenced,
            BiFunction<String, String, Optional<StopProof>> stopProofs) {
        this.fenced = fenced;
        this.stopProofs = stopProofs;
        this.resource = resource;
        this.group = group;
        this.node = node;
        this.params = Map.copyOf(params);
        this.stateDir = stateDir;
        this.registry = registry;
    }

    @Override
    public String resourceName() {
        return resource;
    }

    @Override
    public String groupName() {
        return group;
    }

    @Override
    public String nodeName() {
        return node;
    }

    @Override
    public Map<String, String> parameters() {
        return params;
    }

    @Override
    public Path stateDirectory() {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + stateDir + ": " + e.getMessage(), e);
        }
        return stateDir;
    }

    @Override
    public ProcessSupervisor processes() {
        return registry.supervisorFor(resource, stateDirectory());
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        return CommandRunner.run(command, timeout);
    }

    @Override
    public boolean isFenced(String other) {
        return fenced.test(other);
    }

    @Override
    public Optional<StopProof> stopProof(String other) {
        return stopProofs.apply(group, other);
    }
}
