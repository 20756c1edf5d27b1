/**
 * The heartbeat transport contract.
 *
 * <p>A transport moves opaque frames between the nodes of one heartbeat path (a LAN, a private network,
 * a serial cable, a shared disk). It does not interpret them: the core builds every frame, signs it
 * with the cluster key, numbers it, and on receipt checks the signature and rejects replays. A transport
 * therefore cannot weaken authentication, and a garbage or forged frame never reaches membership.
 *
 * <p>A bundle registers one {@link org.vigil.api.heartbeat.HeartbeatTransportFactory} per kind of path.
 * The admin configures paths (factory PID {@code org.vigil.path}) naming the kind; the core opens a
 * {@link org.vigil.api.heartbeat.HeartbeatTransport} for each path and drives it: it calls
 * {@link org.vigil.api.heartbeat.HeartbeatTransport#send} from its heartbeat sender and
 * {@link org.vigil.api.heartbeat.HeartbeatTransport#receive} in a loop on a receiver thread it owns.
 *
 * <p>1.2 adds {@link org.vigil.api.heartbeat.PathContext#offerFrame}, through which a transport learns whether
 * the core authenticated a frame (a stream transport closes connections that never carry one), and
 * {@link org.vigil.api.heartbeat.PathContext#heartbeatIntervalMillis}; both have defaults, so transports built
 * against 1.1 still load.
 *
 * <p>1.3 adds {@link org.vigil.api.heartbeat.PathContext#peerRefused} and
 * {@link org.vigil.api.heartbeat.HeartbeatTransport#reportsRefusals}: a transport reports that a peer's heartbeat
 * port refused a frame, which proves, on every path that can tell, that the peer's Vigil process is gone. Both
 * have defaults, so transports and cores built against 1.2 still load.
 */
@org.osgi.annotation.versioning.Version("1.3.0")
package org.vigil.api.heartbeat;
