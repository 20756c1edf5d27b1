package org.vigil.heartbeat.tcp.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.ParameterDescription;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.plugin.support.heartbeat.PathParameters;

/**
 * Heartbeat paths of type {@code tcp}, for networks that drop UDP: each node listens on its bind
 * address and dials every peer, reconnecting by itself; each frame goes, length-prefixed, on every open
 * connection. Two nodes that both dial each other hold two connections and each frame arrives twice:
 * the core's replay guard drops the copy. Like every transport it moves the core's signed frames
 * unchanged; addresses are not identity, the core's signature check is.
 */
@Component(service = HeartbeatTransportFactory.class)
public class TcpTransportFactory implements HeartbeatTransportFactory {

    /** The path type admins write in a path configuration. */
    public static final String TYPE = "tcp";

    private static final TransportDescription DESCRIPTION = new TransportDescription(TYPE,
            "TCP connections to every peer, for networks that drop UDP; reconnects by itself",
            List.of(
                    ParameterDescription.required(TcpConfig.BIND,
                            "Local address and port this node listens on, as address:port (IPv4 such as "
                                    + "192.0.2.10:5406, or IPv6 in brackets such as [2001:db8::10]:5406). Only this "
                                    + "address is bound, and connections to the peers leave from it too. Host names "
                                    + "are not accepted, so the path never depends on DNS."),
                    ParameterDescription.required(TcpConfig.PEERS,
                            "The other nodes' bind addresses on this path, as a comma-separated list of "
                                    + "address:port, for example 192.0.2.11:5406,192.0.2.12:5406. This node dials each "
                                    + "of them and keeps redialling (100 ms, doubling to 2 s) while one is away.")));

    @Override
    public TransportDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public List<String> validate(Map<String, String> parameters) {
        return PathParameters.validate(parameters, TcpConfig::parse);
    }

    @Override
    public HeartbeatTransport open(PathContext context) throws IOException {
        return TcpTransport.open(PathParameters.require(context, TcpConfig::parse), context);
    }
}
