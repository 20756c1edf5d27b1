/**
 * The alert sink contract: where the cluster delivers events an admin must hear about (a node lost, a
 * path down, a failover, a failed stop).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vigil.api.alert;
