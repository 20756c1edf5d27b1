package org.vigil.tck.heartbeat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;

/** The contract over the in-memory medium, healthy (the faults have their own test). */
class InMemoryTransportContractTest extends HeartbeatTransportContract {

    private final InMemoryMedium medium = new InMemoryMedium(42);
    private final HeartbeatTransportFactory factory = medium.factory();

    @Override
    protected HeartbeatTransportFactory factory() {
        return factory;
    }

    @Override
    protected List<Map<String, String>> connectedParameters(int count) {
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                if (j != i) {
                    peers.add("m" + j);
                }
            }
            out.add(Map.of(InMemoryMedium.ADDRESS, "m" + i, InMemoryMedium.PEERS, String.join(",", peers)));
        }
        return out;
    }

    @Override
    protected void injectGarbage(Endpoint target, byte[] garbage) {
        medium.inject(target.parameters.get(InMemoryMedium.ADDRESS), garbage);
    }
}
