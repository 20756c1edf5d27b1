package org.vigil.alert.mail.internal;

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
 * Alert sink type {@code mail}: each event is one mail, sent over SMTP to the admin's relay. TLS is required by
 * default (STARTTLS on the submission port, or implicit TLS); a password is never sent without TLS, and comes
 * from a file only its owner may read.
 */
@Component(service = AlertSinkType.class)
public class MailSinkType implements AlertSinkType {

    static final String HOST = "host";
    static final String PORT = "port";
    static final String SECURITY = "security";
    static final String FROM = "from";
    static final String TO = "to";
    static final String USER = "user";
    static final String PASSWORD_FILE = "password-file";
    static final String TRUST_FILE = "trust-file";
    static final String SUBJECT_PREFIX = "subject-prefix";
    static final String HELO = "helo";

    private static final Pattern ADDRESS = Pattern.compile("[^\\s<>@,;\"]+@[^\\s<>@,;\"]+");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]+");

    @Override
    public String type() {
        return "mail";
    }

    @Override
    public String description() {
        return "sends each event as a mail over SMTP (STARTTLS or TLS, optional authentication)";
    }

    @Override
    public List<String> validate(Map<String, String> p) {
        List<String> problems = new ArrayList<>();
        String host = p.getOrDefault(HOST, "");
        if (host.isBlank()) {
            problems.add(HOST + ": required (the SMTP server, e.g. smtp.example.org)");
        } else if (!HOSTNAME.matcher(host).matches()) {
            problems.add(HOST + ": '" + host + "' is not a host name or address");
        }
        Security sec = null;
        try {
            sec = Security.parse(p.get(SECURITY));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        String port = p.get(PORT);
        if (port != null && !port.isBlank()) {
            try {
                int n = Integer.parseInt(port.trim());
                if (n < 1 || n > 65535) {
                    problems.add(PORT + ": " + n + " is not a port (1 to 65535)");
                }
            } catch (NumberFormatException e) {
                problems.add(PORT + ": '" + port + "' is not a port number");
            }
        }
        String from = p.getOrDefault(FROM, "");
        if (!ADDRESS.matcher(from).matches()) {
            problems.add(FROM + ": " + (from.isBlank() ? "required" : "'" + from + "' is not a mail address")
                    + " (the sender, e.g. vigil@example.org)");
        }
        List<String> to = recipients(p.get(TO));
        if (to.isEmpty()) {
            problems.add(TO + ": required (the admins' addresses, comma-separated)");
        }
        for (String r : to) {
            if (!ADDRESS.matcher(r).matches()) {
                problems.add(TO + ": '" + r + "' is not a mail address");
            }
        }
        String user = p.getOrDefault(USER, "");
        if (!user.isBlank()) {
            String pw = SecretFile.problem(PASSWORD_FILE, p.get(PASSWORD_FILE));
            if (pw != null) {
                problems.add(pw);
            }
            if (sec == Security.NONE) {
                problems.add(USER + ": a password is never sent without TLS; set security = starttls or tls");
            }
        } else if (p.containsKey(PASSWORD_FILE)) {
            problems.add(PASSWORD_FILE + ": given without " + USER + " (the login name)");
        }
        if (sec != Security.NONE && p.get(TRUST_FILE) != null && !p.get(TRUST_FILE).isBlank()) {
            try {
                Tls.context(TRUST_FILE, p.get(TRUST_FILE));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    static List<String> recipients(String to) {
        List<String> l = new ArrayList<>();
        for (String s : (to == null ? "" : to).split("[,\\s]+")) {
            if (!s.isEmpty()) {
                l.add(s);
            }
        }
        return l;
    }

    @Override
    public AlertSink create(String name, Map<String, String> p) {
        Security sec = Security.parse(p.get(SECURITY));
        String user = p.getOrDefault(USER, "").trim();
        String password = user.isEmpty() ? "" : SecretFile.read(PASSWORD_FILE, p.get(PASSWORD_FILE));
        String port = p.get(PORT);
        SmtpClient smtp = new SmtpClient(p.get(HOST).trim(),
                port == null || port.isBlank() ? sec.defaultPort : Integer.parseInt(port.trim()), sec,
                sec == Security.NONE ? null : Tls.context(TRUST_FILE, p.get(TRUST_FILE)), user, password,
                p.getOrDefault(HELO, ""));
        return new MailSink(name, smtp, p.get(FROM).trim(), recipients(p.get(TO)), p.getOrDefault(SUBJECT_PREFIX, "[vigil]"));
    }

    /** How the connection is protected. */
    enum Security {
        /** Plain connection, then STARTTLS, which the server must offer. */
        STARTTLS(587),
        /** TLS from the first byte (SMTPS). */
        TLS(465),
        /** No TLS at all: only for a relay on this machine or a trusted network. */
        NONE(25);

        final int defaultPort;

        Security(int port) {
            this.defaultPort = port;
        }

        static Security parse(String s) {
            if (s == null || s.isBlank()) {
                return STARTTLS;
            }
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "starttls" -> STARTTLS;
                case "tls" -> TLS;
                case "none" -> NONE;
                default -> throw new IllegalArgumentException(SECURITY + ": '" + s + "' is not starttls, tls or none");
            };
        }
    }
}
