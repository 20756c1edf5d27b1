package org.vigil.resource.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpCheckTest {

    @Test
    void aServerThatAcceptsButNeverAnswersFailsTheCheckWithinItsTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            HttpCheck check = new HttpCheck(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"));
            long t0 = System.nanoTime();
            Optional<String> failure = check.run(Duration.ofMillis(500));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(failure).isPresent();
            assertThat(ms).as("the check returned after %d ms", ms).isLessThan(3000);
            try (Socket ignored = server.accept()) {
                // the connection the check made (the backlog held it)
            }
        }
    }
}
