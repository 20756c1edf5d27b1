/**
 * The resource agent contract.
 *
 * <p>A vendor ships a bundle that registers one {@link org.vigil.api.resource.ResourceType} service per
 * type of resource it manages (for example "ip", "disk", "postgresql"). The core discovers it at runtime,
 * validates resource definitions against its {@link org.vigil.api.resource.ResourceTypeDescription}, and
 * asks it for one {@link org.vigil.api.resource.ResourceHandler} per configured resource. The core calls
 * the handler's operations on its own threads, one operation at a time per resource, with a timeout; a
 * handler never creates threads of its own and reports only through its return values.
 *
 * <p>Operations are idempotent: {@code start} on a running resource and {@code stop} on a stopped one
 * return {@link org.vigil.api.resource.ResultCode#OK}.
 */
@org.osgi.annotation.versioning.Version("1.3.0")
package org.vigil.api.resource;
