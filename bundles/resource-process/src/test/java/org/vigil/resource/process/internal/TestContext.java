package org.vigil.resource.process.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.exec.CommandRunner;
import org.vigil.core.internal.exec.ProcessRegistry;

/**
 * A resource context as the core builds it, on the core's real process registry and command runner. Unlike
 * the agent TCK's {@link org.vigil.tck.TestResourceContext} it shares the test's registry (so a test can find
 * the program itself, and a second handler finds the first one's program) and names the group "frontend".
 * Operation budgets come from {@link org.vigil.tck.TestResourceContext#op}.
 */
final class TestContext implements ResourceContext {

    private final ProcessRegistry registry;
    private final Path stateDir;
    private final Map<String, String> parameters;

    /** @param given the admin's parameters; the type's defaults are filled in, as the core does */
    TestContext(ProcessRegistry registry, Path stateDir, ResourceTypeDescription type, Map<String, String> given) {
        this.registry = registry;
        this.stateDir = stateDir;
        Map<String, String> p = new HashMap<>();
        for (ParameterDescription d : type.parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        p.putAll(given);
        this.parameters = Map.copyOf(p);
    }

    @Override
    public String resourceName() {
        return "web";
    }

    @Override
    public String groupName() {
        return "frontend";
    }

    @Override
    public String nodeName() {
        return "node-a";
    }

    @Override
    public Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public Path stateDirectory() {
        return stateDir;
    }

    @Override
    public ProcessSupervisor processes() {
        return registry.supervisorFor(resourceName(), stateDir);
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        return CommandRunner.run(command, timeout);
    }
}
