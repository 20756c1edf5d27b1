package org.vigil.rest.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code etc/org.vigil.rest.cfg}, checked. Every problem is reported at once, each naming its key and value; with
 * any problem nothing listens.
 *
 * @param enabled       {@code enabled}: false (the default) serves nothing
 * @param bind          {@code bind}: IP addresses to listen on (default 127.0.0.1); no host names (no DNS at start)
 * @param port          {@code port} (default 8443)
 * @param keystore      {@code keystore}: the admin's PKCS#12 keystore, or null for the generated one
 * @param passwordFile  {@code keystore.password-file}: its password (a file of mode 0600)
 * @param adminRoles    {@code admin.roles}: JAAS roles that may change (default vigil-admin)
 * @param viewerRoles   {@code viewer.roles}: JAAS roles that may read (default vigil-viewer)
 * @param realm         {@code realm}: the JAAS realm (default karaf)
 * @param maxOperations {@code operations.max}: operations kept (default 32)
 * @param operationAge  {@code operations.max-age}: seconds a finished operation is kept (default 3600)
 * @param maxFailures   {@code login.max-failures}: failed logins of one address before it is refused for 10 min (default 10)
 */
record RestConfig(boolean enabled, List<InetAddress> bind, int port, Path keystore, Path passwordFile,
        Set<String> adminRoles, Set<String> viewerRoles, String realm, int maxOperations, Duration operationAge,
        int maxFailures) {

    static final Set<String> KEYS = Set.of("enabled", "bind", "port", "keystore", "keystore.password-file",
            "admin.roles", "viewer.roles", "realm", "operations.max", "operations.max-age", "login.max-failures");

    /**
     * @param props the configuration's properties (service.pid and other framework keys are ignored)
     * @throws IllegalArgumentException listing every problem
     */
    static RestConfig parse(Map<String, ?> props) {
        List<String> problems = new ArrayList<>();
        for (String k : props.keySet()) {
            if (!KEYS.contains(k) && !k.matches("(service|felix|component|osgi|org)\\..*")) { // the framework's own keys
                problems.add("unknown key '" + k + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        String enabledText = text(props, "enabled", "false");
        if (!enabledText.equals("true") && !enabledText.equals("false")) {
            problems.add("enabled = '" + enabledText + "': true or false");
        }
        List<InetAddress> bind = new ArrayList<>();
        for (String a : split(text(props, "bind", "127.0.0.1"))) {
            if (!a.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
                problems.add("bind = '" + a + "': an IP address is expected (no host names)");
                continue;
            }
            try {
                bind.add(InetAddress.getByName(a));
            } catch (UnknownHostException e) {
                problems.add("bind = '" + a + "': not an IP address");
            }
        }
        if (bind.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("bind"))) {
            problems.add("bind is empty: give at least one address (127.0.0.1 for this machine only)");
        }
        int port = number(props, "port", 8443, 1, 65535, problems);
        String ks = text(props, "keystore", "");
        String pw = text(props, "keystore.password-file", "");
        if (ks.isEmpty() && !pw.isEmpty()) {
            problems.add("keystore.password-file is set but keystore is not");
        }
        if (!ks.isEmpty() && pw.isEmpty()) {
            problems.add("keystore = '" + ks + "' needs keystore.password-file (a file of mode 0600 holding its password)");
        }
        Set<String> admin = new LinkedHashSet<>(split(text(props, "admin.roles", "vigil-admin")));
        Set<String> viewer = new LinkedHashSet<>(split(text(props, "viewer.roles", "vigil-viewer")));
        if (admin.isEmpty()) {
            problems.add("admin.roles is empty");
        }
        String realm = text(props, "realm", "karaf");
        int maxOps = number(props, "operations.max", 32, 1, 1000, problems);
        int age = number(props, "operations.max-age", 3600, 1, 7 * 86400, problems);
        int failures = number(props, "login.max-failures", 10, 1, 1000, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new RestConfig(enabledText.equals("true"), List.copyOf(bind), port, ks.isEmpty() ? null : Path.of(ks),
                pw.isEmpty() ? null : Path.of(pw), Set.copyOf(admin), Set.copyOf(viewer), realm, maxOps,
                Duration.ofSeconds(age), failures);
    }

    private static String text(Map<String, ?> props, String key, String dflt) {
        Object v = props.get(key);
        return v == null ? dflt : v.toString().strip();
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static int number(Map<String, ?> props, String key, int dflt, int min, int max, List<String> problems) {
        String t = text(props, key, Integer.toString(dflt));
        try {
            int n = Integer.parseInt(t);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + " = '" + t + "': a whole number from " + min + " to " + max);
        return dflt;
    }
}
