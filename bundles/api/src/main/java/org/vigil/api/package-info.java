/**
 * Vigil's public API: the contracts that vendors build plug-ins against.
 *
 * <ul>
 * <li>{@link org.vigil.api.resource} — resource agents (what the cluster starts, stops and monitors);</li>
 * <li>{@link org.vigil.api.heartbeat} — heartbeat transports (how nodes hear each other);</li>
 * <li>{@link org.vigil.api.fence} — fence agents (how a node that may still run a service is made safe);</li>
 * <li>{@link org.vigil.api.alert} — alert sinks (where cluster events are delivered).</li>
 * </ul>
 * Every plug-in is an OSGi service discovered by the core at runtime; a plug-in never calls into the
 * core except through the context or callback the core hands it.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vigil.api;
