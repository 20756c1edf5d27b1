/**
 * The fence agent contract: how the cluster makes sure a node that may still run a service cannot
 * harm it (power it off, cut its storage, tell it to kill itself through a shared disk). A group moves
 * away from a node that failed a stop only once that node is known to be down.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package org.vigil.api.fence;
