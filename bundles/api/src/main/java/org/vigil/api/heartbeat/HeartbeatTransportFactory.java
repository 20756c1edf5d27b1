package org.vigil.api.heartbeat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A kind of heartbeat path, registered as an OSGi service by the bundle that implements it. The core
 * opens one transport for each path the admin configured with this kind.
 */
public interface HeartbeatTransportFactory {

    /** @return the kind's identifier and parameters */
    TransportDescription describe();

    /**
     * Checks a path's parameters before it is opened.
     *
     * @param parameters the parameters with defaults filled in
     * @return one message per problem, each naming the parameter; empty when valid
     */
    List<String> validate(Map<String, String> parameters);

    /**
     * Opens the path: binds sockets, opens devices. Must not start threads.
     *
     * @param context the path's name, parameters and the callback for received frames
     * @return the open transport
     * @throws IOException when the medium cannot be opened (the core reports the path down and retries)
     */
    HeartbeatTransport open(PathContext context) throws IOException;
}
