package org.vigil.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.api.resource.ResultCode;

/**
 * The contract every resource agent passes, written once. An agent's test extends this class, prepares
 * the real environment its resource needs (a network namespace, a loop device, a server) in its own
 * {@code @BeforeEach}, and supplies the type and parameters that work there. Operations run with the
 * type's own default timeouts, through the core's real process registry and command runner.
 */
public abstract class ResourceAgentContract {

    /** @return the agent under test */
    protected abstract ResourceType type();

    /** @return parameters of a resource that can really start in the prepared environment */
    protected abstract Map<String, String> validParameters();

    /**
     * @return a parameter set that is wrong, and the name of the parameter the error must name
     */
    protected abstract Map.Entry<Map<String, String>, String> invalidParameters();

    /** @return the node name handlers see */
    protected String nodeName() {
        return "tck-node";
    }

    @TempDir
    protected Path stateDir;

    private TestResourceContext context;

    /** @return a fresh handler for the valid resource (each call a new handler over the same state, like after a bundle update) */
    protected ResourceHandler handler() {
        if (context == null) {
            context = new TestResourceContext(type().describe(), "tck-resource", nodeName(), validParameters(), stateDir);
        }
        return type().createHandler(context);
    }

    @AfterEach
    void stopAndRelease() {
        if (context != null) {
            try {
                type().createHandler(context).stop(TestResourceContext.op(type().describe().stopTimeout()));
            } finally {
                context.close();
                context = null;
            }
        }
    }

    private OperationResult start(ResourceHandler h) {
        return h.start(TestResourceContext.op(type().describe().startTimeout()));
    }

    private OperationResult stop(ResourceHandler h) {
        return h.stop(TestResourceContext.op(type().describe().stopTimeout()));
    }

    private OperationResult monitor(ResourceHandler h) {
        return h.monitor(TestResourceContext.op(type().describe().monitorTimeout()));
    }

    @Test
    void describesItselfCompletely() {
        ResourceTypeDescription d = type().describe();
        assertThat(d.type()).matches("[a-z][a-z0-9-]*");
        assertThat(d.summary()).isNotBlank();
        for (ParameterDescription p : d.parameters()) {
            assertThat(p.name()).matches("[a-z][a-z0-9-]*");
            assertThat(p.description()).as("description of %s", p.name()).isNotBlank();
        }
        assertThat(d.startTimeout()).isPositive();
        assertThat(d.stopTimeout()).isPositive();
        assertThat(d.monitorTimeout()).isPositive();
        assertThat(d.monitorInterval()).isPositive();
    }

    @Test
    void validParametersValidate() {
        assertThat(type().validate(withDefaults(validParameters())).code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void invalidParametersAreRefusedNamingTheParameter() {
        Map.Entry<Map<String, String>, String> bad = invalidParameters();
        OperationResult r = type().validate(withDefaults(bad.getKey()));
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).contains(bad.getValue());
    }

    @Test
    void monitorOfANeverStartedResourceSaysNotRunning() {
        assertThat(monitor(handler()).code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void stopOfANeverStartedResourceSucceeds() {
        assertThat(stop(handler()).code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void startTwiceIsOkAndItRuns() {
        assertThat(start(handler())).matches(OperationResult::isOk, "start is OK");
        assertThat(start(handler())).matches(OperationResult::isOk, "second start is OK");
        assertThat(monitor(handler()).code().isRunning()).isTrue();
    }

    @Test
    void stopTwiceIsOkAndThenItIsNotRunning() {
        assertThat(start(handler())).matches(OperationResult::isOk, "start is OK");
        assertThat(stop(handler())).matches(OperationResult::isOk, "stop is OK");
        assertThat(stop(handler())).matches(OperationResult::isOk, "second stop is OK");
        assertThat(monitor(handler()).code()).isEqualTo(ResultCode.NOT_RUNNING);
    }

    @Test
    void itCanBeStartedAgainAfterAStop() {
        for (int i = 0; i < 2; i++) {
            assertThat(start(handler())).matches(OperationResult::isOk, "start is OK");
            assertThat(monitor(handler()).code().isRunning()).isTrue();
            assertThat(stop(handler())).matches(OperationResult::isOk, "stop is OK");
            assertThat(monitor(handler()).code()).isEqualTo(ResultCode.NOT_RUNNING);
        }
    }

    @Test
    void aNewHandlerFindsTheRunningResource() {
        assertThat(start(handler())).matches(OperationResult::isOk, "start is OK");
        // The core creates a new handler after the type's bundle is updated: it must re-adopt.
        assertThat(monitor(handler()).code().isRunning()).isTrue();
        assertThat(stop(handler())).matches(OperationResult::isOk, "stop through a new handler is OK");
    }

    private Map<String, String> withDefaults(Map<String, String> params) {
        Map<String, String> full = new java.util.LinkedHashMap<>();
        for (ParameterDescription p : type().describe().parameters()) {
            if (p.defaultValue() != null) {
                full.put(p.name(), p.defaultValue());
            }
        }
        full.putAll(params);
        return full;
    }

    /** @return a generous timeout for waiting on the environment in subclasses */
    protected static Duration patience() {
        return Duration.ofSeconds(10);
    }
}
