package org.vigil.tck.heartbeat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;

/**
 * One open transport under test, with the receive loop the core would run on a thread of its own
 * ({@code receive(100)} until closed). Whatever {@code receive} throws is recorded, not swallowed: the
 * contract asserts there was nothing.
 */
public final class Endpoint implements AutoCloseable {

    /** The node name this endpoint was opened as. */
    public final String name;
    /** The parameters it was opened with. */
    public final Map<String, String> parameters;
    /** Everything the transport reported. */
    public final RecordingPathContext context;
    /** The open transport. */
    public final HeartbeatTransport transport;
    /** Whatever receive() threw while the loop ran. */
    public final List<Throwable> receiveErrors = new CopyOnWriteArrayList<>();
    private final Thread receiver;
    private volatile boolean stopping;
    private volatile boolean closed;

    private Endpoint(String name, Map<String, String> parameters, RecordingPathContext context,
            HeartbeatTransport transport, boolean loop) {
        this.name = name;
        this.parameters = parameters;
        this.context = context;
        this.transport = transport;
        if (loop) {
            receiver = new Thread(this::loop, "tck-receive-" + name);
            receiver.setDaemon(true);
            receiver.start();
        } else {
            receiver = null;
        }
    }

    /**
     * Opens a transport with the factory and starts its receive loop.
     *
     * @param factory    the transport kind under test
     * @param path       the path name
     * @param name       the node name
     * @param parameters the parameters, defaults filled in by the caller
     * @return the running endpoint
     * @throws IOException when the factory cannot open the path
     */
    public static Endpoint open(HeartbeatTransportFactory factory, String path, String name,
            Map<String, String> parameters) throws IOException {
        RecordingPathContext ctx = new RecordingPathContext(path, name, parameters);
        return new Endpoint(name, parameters, ctx, factory.open(ctx), true);
    }

    /** As {@link #open}, but without a receive loop: the test calls {@code transport.receive} itself. */
    public static Endpoint openManual(HeartbeatTransportFactory factory, String path, String name,
            Map<String, String> parameters) throws IOException {
        RecordingPathContext ctx = new RecordingPathContext(path, name, parameters);
        return new Endpoint(name, parameters, ctx, factory.open(ctx), false);
    }

    private void loop() {
        while (!stopping) {
            try {
                transport.receive(100);
            } catch (Throwable e) {
                if (stopping) {
                    return;
                }
                receiveErrors.add(e);
                try {
                    Thread.sleep(50); // as the core does: pause, then call again
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Sends a frame. */
    public void send(byte[] frame) throws IOException {
        transport.send(frame);
    }

    /** Sends a text as ISO-8859-1 bytes. */
    public void send(String text) throws IOException {
        transport.send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** @return true once closed */
    public boolean isClosed() {
        return closed;
    }

    /** Stops the loop and closes the transport; waits up to 2 s for the loop to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        transport.close();
        if (receiver != null) {
            try {
                receiver.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return true when the receive loop ended (or there never was one) */
    public boolean receiverEnded() {
        return receiver == null || !receiver.isAlive();
    }

    @Override
    public String toString() {
        return "endpoint " + name + " " + parameters;
    }
}
