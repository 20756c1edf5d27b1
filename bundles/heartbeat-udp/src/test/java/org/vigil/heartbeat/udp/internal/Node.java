package org.vigil.heartbeat.udp.internal;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.tck.heartbeat.RecordingPathContext;

/**
 * A transport under test plus the receive loop the core would run on its own thread. Any exception
 * from receive() is recorded; the tests assert there were none.
 */
final class Node implements AutoCloseable {

    final RecordingPathContext context;
    final HeartbeatTransport transport;
    final List<Throwable> receiveErrors = new CopyOnWriteArrayList<>();
    private final Thread receiver;
    private volatile boolean stopping;

    Node(String name, Map<String, String> parameters) throws IOException {
        this(name, parameters, null);
    }

    /** @param probe a replacement for the local link check, or null for the real one */
    Node(String name, Map<String, String> parameters, UdpTransport.LinkProbe probe) throws IOException {
        context = new RecordingPathContext("lan", name, parameters);
        transport = probe == null
                ? new UdpTransportFactory().open(context)
                : UdpTransport.open(UdpConfig.parse(parameters).config(), context, probe);
        receiver = new Thread(this::loop, "receive-" + name);
        receiver.setDaemon(true);
        receiver.start();
    }

    private void loop() {
        while (!stopping) {
            try {
                transport.receive(100);
            } catch (Throwable e) {
                if (!stopping) {
                    receiveErrors.add(e);
                }
            }
        }
    }

    void send(String text) throws IOException {
        transport.send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        transport.close();
        receiver.join(2000);
    }

    /**
     * Free UDP ports on 127.0.0.1, found by binding port 0. All sockets stay open until every port is
     * known, so the ports are distinct.
     */
    static int[] freePorts(int count) throws IOException {
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    static String local(int port) {
        return "127.0.0.1:" + port;
    }
}
