package org.vigil.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.exec.CommandRunner;
import org.vigil.core.internal.exec.ProcessRegistry;

/**
 * A {@link ResourceContext} backed by the core's real process registry and command runner, for agent
 * tests: the agent under test runs real programs and commands exactly as inside a node.
 */
public final class TestResourceContext implements ResourceContext, AutoCloseable {

    private final String resource;
    private final String node;
    private final Map<String, String> params;
    private final Path stateDir;
    private final ProcessRegistry registry;

    /**
     * @param type     the type's description (its defaults are filled in like the core does)
     * @param resource the resource's name
     * @param node     the node's name
     * @param params   the parameters the admin would set
     * @param stateDir the resource's state directory
     */
    public TestResourceContext(ResourceTypeDescription type, String resource, String node, Map<String, String> params,
            Path stateDir) {
        this.resource = resource;
        this.node = node;
        Map<String, String> full = new LinkedHashMap<>();
        for (ParameterDescription p : type.parameters()) {
            if (p.defaultValue() != null) {
                full.put(p.name(), p.defaultValue());
            }
        }
        full.putAll(params);
        this.params = Map.copyOf(full);
        this.stateDir = stateDir;
        this.registry = new ProcessRegistry(stateDir.resolve("run"));
    }

    @Override
    public String resourceName() {
        return resource;
    }

    @Override
    public String groupName() {
        return "tck";
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
            return Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ProcessSupervisor processes() {
        return registry.supervisorFor(resource, stateDirectory());
    }

    /** Nodes this context reports as fenced ({@link #isFenced}); empty unless a test calls {@link #fenced}. */
    private final java.util.Set<String> fencedNodes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param other a node the core would now know to be fenced (a fence agent answered NODE_OFF for it) */
    public void fenced(String other) {
        fencedNodes.add(other);
    }

    @Override
    public boolean isFenced(String other) {
        return fencedNodes.contains(other);
    }

    /** Proofs this context gives ({@link #stopProof}); empty unless a test calls {@link #provenStopped}. */
    private final java.util.Map<String, StopProof> stopProofs = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param proof a proof the core would now give that a node stopped this resource's group */
    public void provenStopped(StopProof proof) {
        stopProofs.put(proof.node(), proof);
    }

    @Override
    public java.util.Optional<StopProof> stopProof(String other) {
        return java.util.Optional.ofNullable(stopProofs.get(other));
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        return CommandRunner.run(command, timeout);
    }

    /** Kills every program still running under this context (their lifelines are cut). */
    @Override
    public void close() {
        registry.close();
    }

    /** @param timeout the budget; @return an operation context with that budget */
    public static OperationContext op(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return new OperationContext() {
            @Override
            public Duration timeout() {
                return timeout;
            }

            @Override
            public Duration remaining() {
                return Duration.ofNanos(deadline - System.nanoTime());
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }
}
