package org.vigil.heartbeat.udp.internal;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.tck.heartbeat.Endpoint;
import org.vigil.tck.heartbeat.HeartbeatTransportContract;

/** The shared transport contract over real datagrams on 127.0.0.1. */
class UdpTransportContractTest extends HeartbeatTransportContract {

    private final UdpTransportFactory factory = new UdpTransportFactory();

    @Override
    protected HeartbeatTransportFactory factory() {
        return factory;
    }

    @Override
    protected boolean canRefuse() {
        return true;
    }

    @Override
    protected List<Map<String, String>> connectedParameters(int count) throws Exception {
        int[] ports = Node.freePorts(count);
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                if (j != i) {
                    peers.add(Node.local(ports[j]));
                }
            }
            out.add(Map.of("bind", Node.local(ports[i]), "peers", String.join(",", peers)));
        }
        return out;
    }

    @Override
    protected void injectGarbage(Endpoint target, byte[] garbage) throws Exception {
        String[] bind = target.parameters.get("bind").split(":");
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            stranger.send(new DatagramPacket(garbage, garbage.length,
                    new InetSocketAddress(bind[0], Integer.parseInt(bind[1]))));
        }
    }
}
