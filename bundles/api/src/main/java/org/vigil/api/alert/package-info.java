/**
 * The alert sink contract: where the cluster delivers events an admin must hear about (a node lost, a
 * path down, a failover, a failed stop). A sink type ({@link org.vigil.api.alert.AlertSinkType}) is configured
 * per instance by the admin; a plain {@link org.vigil.api.alert.AlertSink} service is delivered to as well, with
 * the filter and limit service properties named in {@link org.vigil.api.alert.AlertSink}.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package org.vigil.api.alert;
