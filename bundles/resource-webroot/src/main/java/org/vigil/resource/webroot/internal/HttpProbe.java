package org.vigil.resource.webroot.internal;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The web root's health check, in-process: a GET of / on the listen address answers with a status below
 * 500 (a 403 or 404 still shows nginx serving; a 5xx or no answer does not). One connection, closed
 * afterwards, no proxy, no redirects followed.
 */
final class HttpProbe {

    private static final Duration IN_USE_TIMEOUT = Duration.ofMillis(500);

    private HttpProbe() {
    }

    /**
     * @param listen the address and port; @return true when something accepts TCP connections there now
     */
    static boolean inUse(WebrootConfig.Listen listen) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(listen.address(), listen.port()), (int) IN_USE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false; // refused (free), or no answer: nginx's own bind will tell
        }
    }

    /**
     * @param listen  the address and port
     * @param timeout how long connecting may take, and again reading the status line
     * @return empty when it passed, otherwise why not
     */
    static Optional<String> check(WebrootConfig.Listen listen, Duration timeout) {
        URI uri = URI.create("http://" + listen + "/");
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Connection", "close");
            c.setRequestProperty("User-Agent", "vigil-check");
            // Both before connecting: a read timeout set afterwards does not reach the open connection.
            c.setConnectTimeout(millis(timeout));
            c.setReadTimeout(millis(timeout));
            int status = c.getResponseCode();
            return status >= 100 && status < 500 ? Optional.empty()
                    : Optional.of("GET " + uri + " answered status " + status);
        } catch (IOException | RuntimeException e) {
            return Optional.of("GET " + uri + ": " + e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}
