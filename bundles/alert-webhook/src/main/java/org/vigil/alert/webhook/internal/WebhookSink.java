package org.vigil.alert.webhook.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.plugin.support.alert.AlertText;

/**
 * One configured webhook: POSTs the event's JSON with header {@code <signature-header>: sha256=<hex HMAC-SHA256 of the
 * body>}. Any answer but 2xx is a failed delivery.
 */
final class WebhookSink implements AlertSink {

    private static final int TIMEOUT_MS = 10_000;

    private final String name;
    private final URL url;
    private final byte[] secret;
    private final String header;
    private final SSLContext tls;

    WebhookSink(String name, URL url, String secret, String header, SSLContext tls) {
        this.name = name;
        this.url = url;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.header = header;
        this.tls = tls;
    }

    @Override
    public String name() {
        return name;
    }

    static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public void deliver(AlertEvent e) throws IOException {
        byte[] body = AlertText.json(e).getBytes(StandardCharsets.UTF_8);
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        try {
            if (c instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(tls.getSocketFactory());
            }
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
            c.setInstanceFollowRedirects(false); // a redirect would resend the signed alert somewhere unchecked
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
            c.setRequestProperty("User-Agent", "vigil-alert");
            c.setRequestProperty(header, signature(secret, body));
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int code = c.getResponseCode();
            try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.readNBytes(4096); // read the answer so the connection can be reused
                }
            }
            if (code / 100 != 2) {
                throw new IOException("webhook " + url + " answered " + code + " " + c.getResponseMessage());
            }
        } finally {
            c.disconnect();
        }
    }
}
