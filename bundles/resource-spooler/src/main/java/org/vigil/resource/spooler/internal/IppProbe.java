package org.vigil.resource.spooler.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.vigil.plugin.support.Endpoints;

/**
 * The spooler's health check, in-process: one IPP request (CUPS-Get-Default, which every cupsd answers and
 * which needs no printer) posted to the listen address, answered with HTTP 200 and an IPP response carrying
 * the same request id and a status below server-error (client-error-not-found, "no default printer", still
 * shows the scheduler answering). One connection, closed afterwards, no proxy.
 */
final class IppProbe {

    private static final Duration IN_USE_TIMEOUT = Duration.ofMillis(500);
    private static final int CUPS_GET_DEFAULT = 0x4001;
    private static final int MAX_RESPONSE = 64 * 1024;
    private static final AtomicInteger REQUEST_IDS = new AtomicInteger(1);

    private IppProbe() {
    }

    /** @return true when something accepts TCP connections on the address now */
    static boolean inUse(InetSocketAddress listen) {
        try (Socket s = new Socket()) {
            s.connect(listen, (int) IN_USE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false; // refused (free), or no answer: cupsd's own bind will tell
        }
    }

    /**
     * @param listen  the address and port
     * @param timeout how long connecting may take, and again reading the answer
     * @return empty when it passed, otherwise why not
     */
    static Optional<String> check(InetSocketAddress listen, Duration timeout) {
        URI uri = URI.create("http://" + Endpoints.format(listen) + "/");
        int id = REQUEST_IDS.getAndUpdate(i -> i >= 0x7ffffff0 ? 1 : i + 1);
        byte[] request = request(id);
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Content-Type", "application/ipp");
            c.setRequestProperty("Connection", "close");
            c.setRequestProperty("User-Agent", "vigil-check");
            c.setFixedLengthStreamingMode(request.length);
            c.setConnectTimeout(millis(timeout));
            c.setReadTimeout(millis(timeout));
            try (OutputStream out = c.getOutputStream()) {
                out.write(request);
            }
            int http = c.getResponseCode();
            if (http != 200) {
                return Optional.of("IPP request to " + uri + " answered HTTP status " + http);
            }
            byte[] body;
            try (InputStream in = c.getInputStream()) {
                body = readAtMost(in, MAX_RESPONSE);
            }
            if (body.length < 9) {
                return Optional.of("IPP request to " + uri + ": a " + body.length + "-byte answer is no IPP response");
            }
            int status = ((body[2] & 0xff) << 8) | (body[3] & 0xff);
            int answeredId = ((body[4] & 0xff) << 24) | ((body[5] & 0xff) << 16) | ((body[6] & 0xff) << 8)
                    | (body[7] & 0xff);
            if (answeredId != id) {
                return Optional.of("IPP request to " + uri + ": answer for request " + answeredId + ", sent " + id);
            }
            if (status >= 0x0500) {
                return Optional.of("IPP request to " + uri + " answered server error 0x" + Integer.toHexString(status));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("IPP request to " + uri + ": " + e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** An IPP/2.0 CUPS-Get-Default request with the two required operation attributes. */
    static byte[] request(int id) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(2);
        b.write(0); // version 2.0
        b.write(CUPS_GET_DEFAULT >> 8);
        b.write(CUPS_GET_DEFAULT & 0xff);
        b.write(id >>> 24);
        b.write(id >>> 16);
        b.write(id >>> 8);
        b.write(id);
        b.write(0x01); // operation-attributes-tag
        attribute(b, 0x47, "attributes-charset", "utf-8");
        attribute(b, 0x48, "attributes-natural-language", "en");
        b.write(0x03); // end-of-attributes-tag
        return b.toByteArray();
    }

    private static void attribute(ByteArrayOutputStream b, int tag, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        b.write(tag);
        b.write(n.length >> 8);
        b.write(n.length);
        b.write(n, 0, n.length);
        b.write(v.length >> 8);
        b.write(v.length);
        b.write(v, 0, v.length);
    }

    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while (out.size() < max && (n = in.read(buf, 0, Math.min(buf.length, max - out.size()))) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}
