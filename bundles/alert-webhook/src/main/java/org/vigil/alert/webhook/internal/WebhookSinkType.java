package org.vigil.alert.webhook.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.AlertSinkType;
import org.vigil.plugin.support.alert.SecretFile;
import org.vigil.plugin.support.alert.Tls;

/**
 * Alert sink type {@code webhook}: each event is POSTed as a JSON object to a URL, with an HMAC-SHA256 signature of
 * the body under a shared secret in a header, so the receiver can tell it came from the cluster.
 */
@Component(service = AlertSinkType.class)
public class WebhookSinkType implements AlertSinkType {

    static final String URL = "url";
    static final String SECRET_FILE = "secret-file";
    static final String SIGNATURE_HEADER = "signature-header";
    static final String TRUST_FILE = "trust-file";
    static final String DEFAULT_HEADER = "X-Vigil-Signature";

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public String description() {
        return "POSTs each event as JSON to a URL, signed with HMAC-SHA256 of a shared secret";
    }

    @Override
    public List<String> validate(Map<String, String> p) {
        List<String> problems = new ArrayList<>();
        String url = p.getOrDefault(URL, "");
        if (url.isBlank()) {
            problems.add(URL + ": required (where to POST, e.g. https://alerts.example.org/vigil)");
        } else {
            try {
                URI u = new URI(url.trim());
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    problems.add(URL + ": '" + url + "' is not an http:// or https:// URL with a host");
                }
            } catch (URISyntaxException e) {
                problems.add(URL + ": '" + url + "' is not a URL (" + e.getReason() + ")");
            }
        }
        String secret = SecretFile.problem(SECRET_FILE, p.get(SECRET_FILE));
        if (secret != null) {
            problems.add(secret);
        }
        String h = p.getOrDefault(SIGNATURE_HEADER, DEFAULT_HEADER);
        if (!TOKEN.matcher(h).matches()) {
            problems.add(SIGNATURE_HEADER + ": '" + h + "' is not an HTTP header name");
        }
        if (p.get(TRUST_FILE) != null && !p.get(TRUST_FILE).isBlank()) {
            try {
                Tls.context(TRUST_FILE, p.get(TRUST_FILE));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    @Override
    public AlertSink create(String name, Map<String, String> p) throws Exception {
        return new WebhookSink(name, URI.create(p.get(URL).trim()).toURL(), SecretFile.read(SECRET_FILE, p.get(SECRET_FILE)),
                p.getOrDefault(SIGNATURE_HEADER, DEFAULT_HEADER), Tls.context(TRUST_FILE, p.get(TRUST_FILE)));
    }
}
