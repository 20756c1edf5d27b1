package org.vigil.resource.process.internal;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Passes when a GET of the URL answers 2xx or 3xx (redirects are not followed). In-process: one
 * connection, closed afterwards so the JDK keeps no keep-alive cache (and starts no cleaner thread).
 *
 * @param uri an http or https URL
 */
record HttpCheck(URI uri) {

    /**
     * @param timeout how long connecting and receiving the status line may take together
     * @return empty when it passed, otherwise why not
     */
    Optional<String> run(Duration timeout) {
        HttpURLConnection c = null;
        try {
            // A health check of a local service must not wander through the node's HTTP proxy.
            c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Connection", "close");
            c.setRequestProperty("User-Agent", "vigil-check");
            // Both before connect(): the JDK applies the read timeout to the socket when it opens it, so a
            // server that accepts but never answers would otherwise hang the monitor until its own timeout.
            c.setConnectTimeout(millis(timeout));
            c.setReadTimeout(millis(timeout));
            c.connect();
            int status = c.getResponseCode();
            if (status >= 200 && status < 400) {
                return Optional.empty();
            }
            return Optional.of(ProcessConfig.CHECK_HTTP + " " + uri + ": status " + status);
        } catch (IOException | RuntimeException e) {
            return Optional.of(ProcessConfig.CHECK_HTTP + " " + uri + ": " + e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** @return the duration in milliseconds for a socket timeout: at least 1 (0 would mean forever) */
    static int millis(Duration d) {
        long ms = d.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }
}
