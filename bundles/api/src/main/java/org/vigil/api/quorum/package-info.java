/**
 * The tie-breaker contract: what decides which side of an even split of the cluster's votes keeps
 * quorum (for example, in a two-node cluster whose every heartbeat path is cut). The core offers a
 * ping-target tie-breaker itself; a bundle may register another one (a quorum disk, a witness) as an
 * OSGi service, chosen by the admin with {@code quorum.tiebreaker} in {@code etc/org.vigil.node.cfg}.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vigil.api.quorum;
