package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the tests of the REST API, the web console, the metrics and a node's local access share: the API enabled
 * on the loopback, TLS that trusts a node's own certificate (as an admin would, nothing ignored), basic
 * authentication, the sockets a node's JVM listens on, and a bounded wait for a condition.
 */
final class RestAccess {

    private RestAccess() {
    }

    /**
     * {@code feature:install vigil-rest} on the node, waits until the feature wrote its configuration, enables the API
     * on 127.0.0.1:{@code port} and waits until it listens (each wait up to {@code wait}).
     */
    static void enable(Lab lab, String node, int port, Duration wait) throws IOException {
        lab.cliOk(node, "feature:install vigil-rest");
        Path cfg = lab.dir().resolve(node).resolve("etc/org.vigil.rest.cfg");
        await(node + ": the REST configuration written", wait, () -> Files.exists(cfg));
        Files.writeString(cfg, "enabled = true\nbind = 127.0.0.1\nport = " + port + "\n");
        await(node + ": the API listening", wait, () -> lab.cli(node, "vigil:rest").output().contains("listening on"));
    }

    /** @return the certificate in a PEM (or DER) file, such as a node's etc/vigil-rest.crt */
    static X509Certificate certificate(Path crt) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(crt)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** @return a TLS context that trusts this certificate and no other */
    static SSLContext trusting(X509Certificate cert) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("node", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** @return a TLS context that trusts the certificate in {@code crt} and no other */
    static SSLContext trusting(Path crt) throws IOException, GeneralSecurityException {
        return trusting(certificate(crt));
    }

    /** @return the value of an Authorization header for HTTP basic authentication */
    static String basicAuth(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the local address:port of every TCP socket the process listens on (ss) */
    static Set<String> listening(long pid) {
        Sh.Result ss = Sh.run(Duration.ofSeconds(10), List.of("ss", "-Htlnp"));
        assertThat(ss.ok()).as("ss: %s", ss.output()).isTrue();
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\S+\\s+\\d+\\s+\\d+\\s+(\\S+)\\s.*pid=" + pid + ",").matcher(ss.output());
        while (m.find()) {
            out.add(m.group(1).replace("[::ffff:", "").replace("]", ""));
        }
        return out;
    }

    /** Waits up to {@code wait} (checking every 500 ms) until the condition holds; fails naming {@code what}. */
    static void await(String what, Duration wait, BooleanSupplier condition) {
        await(what, wait, condition, () -> "");
    }

    /**
     * As {@link #await(String, Duration, BooleanSupplier)}; a failure also shows what {@code diagnostics} returns then
     * (a node's status, its log).
     */
    static void await(String what, Duration wait, BooleanSupplier condition, Supplier<String> diagnostics) {
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Lab.sleep(500);
        }
        throw new AssertionError("not within " + wait.toSeconds() + " s: " + what + diagnostics.get());
    }
}
