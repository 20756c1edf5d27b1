package org.vigil.plugin.support.alert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS for alert sinks: the JDK's trusted authorities, or only the certificates of a PEM file the admin names. */
public final class Tls {

    private Tls() {
    }

    /**
     * @param key       the configuration key, for messages
     * @param trustFile a PEM file of certificates to trust instead of the JDK's authorities, or blank
     * @return the context
     * @throws IllegalArgumentException naming the key when the file is not usable
     */
    public static SSLContext context(String key, String trustFile) {
        try {
            if (trustFile == null || trustFile.isBlank()) {
                return SSLContext.getDefault();
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int n = 0;
            try (InputStream in = Files.newInputStream(Path.of(trustFile.trim()))) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("c" + n++, c);
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException(key + ": " + trustFile + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ": " + trustFile + ": " + e.getMessage());
        }
    }
}
