package org.vigil.api.fence;

import java.util.List;
import java.util.Map;
import org.vigil.api.resource.OperationContext;

/**
 * A kind of fence device, registered as an OSGi service by the bundle that implements it. The core
 * calls it on its own thread with a timeout; the agent must not report {@link FenceResult.Outcome#NODE_OFF}
 * unless it is certain.
 */
public interface FenceAgent {

    /** @return the kind's identifier, parameters and default timeout */
    FenceAgentDescription describe();

    /**
     * @param parameters a fence device's parameters with defaults filled in
     * @return one message per problem, each naming the parameter; empty when valid
     */
    List<String> validate(Map<String, String> parameters);

    /**
     * Acts on a node.
     *
     * @param node       the node to act on
     * @param action     what to do
     * @param parameters the device's parameters
     * @param op         the request's time budget
     * @return what the agent can vouch for
     */
    FenceResult fence(String node, FenceAction action, Map<String, String> parameters, OperationContext op);
}
