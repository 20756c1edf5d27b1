package org.vigil.systemtest;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** A client of the demo web service on the loopback: one GET, short timeouts, no retries. */
final class Http {

    private Http() {
    }

    /** @return the body of GET http://127.0.0.1:PORT/ when it answers 200, otherwise null */
    static String get(int port) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/").openConnection();
            c.setConnectTimeout(300);
            c.setReadTimeout(500);
            c.setUseCaches(false);
            c.setRequestProperty("Connection", "close");
            if (c.getResponseCode() != 200) {
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
        } catch (IOException e) {
            return null;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** @return the node named in "served by NODE", or null when the service did not answer */
    static String servedBy(int port) {
        String body = get(port);
        return body != null && body.startsWith("served by ") ? body.substring("served by ".length()).strip() : null;
    }
}
