package org.vigil.heartbeat.tcp.internal;

import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.tck.heartbeat.Endpoint;
import org.vigil.tck.heartbeat.HeartbeatTransportContract;

/**
 * The shared transport contract over real TCP connections on 127.0.0.1. Garbage comes from a
 * stranger's connection to the target's listening port, which then closes.
 */
class TcpTransportContractTest extends HeartbeatTransportContract {

    private final TcpTransportFactory factory = new TcpTransportFactory();

    @Override
    protected HeartbeatTransportFactory factory() {
        return factory;
    }

    @Override
    protected boolean canRefuse() {
        return true;
    }

    @Override
    protected boolean mayDuplicate() {
        return true; // both nodes dial: two connections, each frame twice
    }

    @Override
    protected List<Map<String, String>> connectedParameters(int count) throws Exception {
        int[] ports = Ports.free(count);
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                if (j != i) {
                    peers.add(Ports.local(ports[j]));
                }
            }
            out.add(Map.of("bind", Ports.local(ports[i]), "peers", String.join(",", peers)));
        }
        return out;
    }

    @Override
    protected void injectGarbage(Endpoint target, byte[] garbage) throws Exception {
        String[] bind = target.parameters.get("bind").split(":");
        try (Socket stranger = new Socket(bind[0], Integer.parseInt(bind[1]))) {
            OutputStream out = stranger.getOutputStream();
            out.write(garbage);
            out.flush();
        }
    }
}
