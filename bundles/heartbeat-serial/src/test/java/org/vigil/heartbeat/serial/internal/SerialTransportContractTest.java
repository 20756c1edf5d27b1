package org.vigil.heartbeat.serial.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.tck.heartbeat.Endpoint;
import org.vigil.tck.heartbeat.HeartbeatTransportContract;

/**
 * The shared transport contract over a linked pair of pseudo-terminals (socat), at 115200 baud 8N1:
 * a point-to-point medium, frames up to 566 bytes, sent no faster than the line would carry them.
 * Garbage is written into the other end of the pair, so it arrives between the frames.
 */
class SerialTransportContractTest extends HeartbeatTransportContract {

    @TempDir
    Path dir;
    private Socat socat;
    private final SerialTransportFactory factory = new SerialTransportFactory();
    private final SerialConfig line = SerialConfig.parse(Map.of("device", "/dev/null")).config();

    @BeforeEach
    void cable() throws Exception {
        socat = Socat.start(dir);
    }

    @AfterEach
    void unplug() throws Exception {
        if (socat != null) {
            socat.close();
        }
    }

    @Override
    protected HeartbeatTransportFactory factory() {
        return factory;
    }

    @Override
    protected int maxEndpoints() {
        return 2;
    }

    @Override
    protected List<Map<String, String>> connectedParameters(int count) {
        return List.of(Map.of("device", socat.a.toString()), Map.of("device", socat.b.toString()));
    }

    @Override
    protected void pace(int frameLength) throws InterruptedException {
        long nanos = (frameLength + SerialFraming.OVERHEAD) * line.nanosPerByte();
        Thread.sleep(nanos / 1_000_000 + 1);
    }

    @Override
    protected void injectGarbage(Endpoint target, byte[] garbage) throws Exception {
        Socat.write(socat.other(target.parameters.get("device")), garbage);
    }
}
