package org.vigil.heartbeat.udp.internal;

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
 * Heartbeat paths of type {@code udp}: each frame goes as one datagram to every listed peer and,
 * when configured, to a multicast group. The transport moves the core's signed frames unchanged and
 * hands every received datagram back, whatever its source: addresses are not identity, the core's
 * signature check is.
 */
@Component(service = HeartbeatTransportFactory.class)
public class UdpTransportFactory implements HeartbeatTransportFactory {

    /** The path type admins write in a path configuration. */
    public static final String TYPE = "udp";

    private static final TransportDescription DESCRIPTION = new TransportDescription(TYPE,
            "UDP datagrams: unicast to each listed peer and, optionally, to a multicast group",
            List.of(
                    ParameterDescription.required(UdpConfig.BIND,
                            "Local address and port this node listens on and sends from, as address:port "
                                    + "(IPv4 such as 192.0.2.10:5405, or IPv6 in brackets such as [2001:db8::10]:5405). "
                                    + "Only this address is bound; write 0.0.0.0:port to listen on every IPv4 address. "
                                    + "Host names are not accepted, so the path never depends on DNS."),
                    ParameterDescription.optional(UdpConfig.PEERS,
                            "The other nodes on this path, as a comma-separated list of address:port, for example "
                                    + "192.0.2.11:5405,192.0.2.12:5405. Every frame is sent to each of them. Required "
                                    + "unless multicast-group is set; with both, list here only peers outside the group "
                                    + "(a peer in the group as well would receive every frame twice).",
                            null),
                    ParameterDescription.optional(UdpConfig.GROUP,
                            "Multicast group as group:port, for example 239.192.0.1:5405 or [ff15::1]:5405. When set, "
                                    + "frames are sent to this group and received from it. Prefer an administratively "
                                    + "scoped group (239.0.0.0/8 or ff15::/16) and a low ttl.",
                            null),
                    ParameterDescription.optional(UdpConfig.INTERFACE,
                            "Name of the network interface multicast is sent and received on, for example eth1. Only "
                                    + "used with multicast-group; by default the interface holding the bind address "
                                    + "(required when bind is a wildcard address).",
                            null),
                    ParameterDescription.optional(UdpConfig.TTL,
                            "Time-to-live (IPv6: hop limit) of multicast frames, 0 to 255: 1 keeps them on the local "
                                    + "network segment, 0 on this host. Unicast frames use the system default.",
                            Integer.toString(UdpConfig.DEFAULT_TTL))));

    @Override
    public TransportDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public List<String> validate(Map<String, String> parameters) {
        return PathParameters.validate(parameters, UdpConfig::parse);
    }

    @Override
    public HeartbeatTransport open(PathContext context) throws IOException {
        return UdpTransport.open(PathParameters.require(context, UdpConfig::parse), context);
    }
}
