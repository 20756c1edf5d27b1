package org.vigil.resource.process.internal;

import java.util.Map;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.ResourceAgentContract;

/** The process agent passes the contract every resource agent passes. */
class ProcessAgentContractTest extends ResourceAgentContract {

    @Override
    protected ResourceType type() {
        return new ProcessResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return Map.of("command", "exec sleep 300");
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        return Map.entry(Map.of("command", "sleep 300", "check-tcp", "no-port-here"), "check-tcp");
    }
}
