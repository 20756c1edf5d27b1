package org.vigil.resource.process.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * Passes when a TCP connection to host:port is accepted. In-process and cheap (one connect, no fork),
 * so it can run on every monitor.
 *
 * @param host a host name or IP address (IPv6 without brackets)
 * @param port the port
 */
record TcpCheck(String host, int port) {

    /**
     * @param timeout how long the connect may take (the host name is resolved first, by the system resolver)
     * @return empty when it passed, otherwise why not
     */
    Optional<String> run(Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), HttpCheck.millis(timeout));
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.of(ProcessConfig.CHECK_TCP + " " + this + ": " + e);
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
