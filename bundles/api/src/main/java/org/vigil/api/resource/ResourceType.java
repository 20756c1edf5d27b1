package org.vigil.api.resource;

import java.util.Map;

/**
 * A kind of resource Vigil can manage, registered as an OSGi service by the bundle that implements it.
 * The core tracks these services dynamically: installing the bundle's feature makes the type available
 * on that node at once, and removing it leaves running resources of the type running, unmanaged, until
 * the type returns.
 */
public interface ResourceType {

    /** @return the type's description: its identifier, parameters and default timeouts */
    ResourceTypeDescription describe();

    /**
     * Checks a resource definition before anything starts. The core has already rejected unknown
     * parameters and filled in defaults; this checks values and combinations.
     *
     * @param parameters the parameters with defaults filled in
     * @return {@link OperationResult#ok()} when valid, otherwise {@link ResultCode#NOT_CONFIGURED} with a
     *         message that names the wrong parameter
     */
    OperationResult validate(Map<String, String> parameters);

    /**
     * Creates the handler for one resource. Must not start anything.
     *
     * @param context the resource's name, parameters and the core's services
     * @return a new handler
     */
    ResourceHandler createHandler(ResourceContext context);
}
