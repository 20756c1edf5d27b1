package org.vigil.resource.spooler.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.Endpoints;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code spooler} resource. Parsing is validation: {@link #parse} throws an
 * {@link InvalidParameterException} naming the first wrong parameter.
 *
 * @param spoolDirectory the directory on the shared disk holding the queue definitions and the queued jobs
 * @param listen         the one address and port cupsd listens on
 * @param allow          who may print, as cupsd.conf {@code Allow from} values ({@code @LOCAL}, CIDRs)
 * @param cupsd          the cupsd program: an absolute path, or a name looked up in PATH and the sbin directories
 * @param logLevel       cupsd's LogLevel
 * @param hostNames      the DNS names clients may reach the spooler by (cupsd refuses other Host headers)
 */
record SpoolerConfig(Path spoolDirectory, InetSocketAddress listen, List<String> allow, String cupsd,
        String logLevel, List<String> hostNames) {

    static final String SPOOL_DIRECTORY = "spool-directory";
    static final String LISTEN = "listen";
    static final String ALLOW = "allow";
    static final String CUPSD = "cupsd";
    static final String LOG_LEVEL = "log-level";
    static final String HOST_NAMES = "host-names";

    static final String DEFAULT_ALLOW = "@LOCAL";
    static final String DEFAULT_CUPSD = "cupsd";
    static final String DEFAULT_LOG_LEVEL = "warn";

    static final Set<String> LOG_LEVELS = Set.of("none", "emerg", "alert", "crit", "error", "warn", "notice", "info",
            "debug", "debug2");

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern PROGRAM = Pattern.compile("[^\\s\"'\\\\$;]+");
    private static final Pattern IPV4_CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");
    private static final Pattern IPV6_CIDR = Pattern.compile("\\[?([0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)]?(?:/(\\d{1,3}))?");

    /**
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static SpoolerConfig parse(Map<String, String> parameters) {
        String spoolRaw = value(parameters, SPOOL_DIRECTORY);
        if (spoolRaw == null) {
            throw new InvalidParameterException(SPOOL_DIRECTORY, "required: a directory on the group's shared disk,"
                    + " for example /srv/office/cups");
        }
        Path spool = confPath(SPOOL_DIRECTORY, spoolRaw.strip());
        if (!spool.isAbsolute()) {
            throw new InvalidParameterException(SPOOL_DIRECTORY, "expected an absolute path, got '" + spoolRaw + "'");
        }
        spool = spool.normalize();
        if (spool.getNameCount() == 0) {
            throw new InvalidParameterException(SPOOL_DIRECTORY, "the root directory cannot be the spool directory");
        }

        String listenRaw = value(parameters, LISTEN);
        if (listenRaw == null) {
            throw new InvalidParameterException(LISTEN, "required: the group's virtual address and port, for example"
                    + " 192.0.2.10:631");
        }
        List<String> problems = new ArrayList<>();
        InetSocketAddress listen = Endpoints.endpoint(LISTEN, listenRaw.strip(), problems);
        if (listen == null) {
            throw new InvalidParameterException(LISTEN, problems.get(0).substring(LISTEN.length() + 2));
        }
        if (listen.getAddress().isAnyLocalAddress()) {
            throw new InvalidParameterException(LISTEN, "the wildcard address would accept print jobs on every address"
                    + " of the node; give the group's virtual address");
        }
        if (listen.getAddress().isMulticastAddress()) {
            throw new InvalidParameterException(LISTEN, "'" + listenRaw.strip() + "' is a multicast address");
        }

        List<String> allow = parseAllow(orDefault(value(parameters, ALLOW), DEFAULT_ALLOW));

        String cupsd = orDefault(value(parameters, CUPSD), DEFAULT_CUPSD).strip();
        if (!PROGRAM.matcher(cupsd).matches() || (cupsd.contains("/") && !cupsd.startsWith("/"))) {
            throw new InvalidParameterException(CUPSD, "expected an absolute path or a program name, got '" + cupsd
                    + "'");
        }
        String level = orDefault(value(parameters, LOG_LEVEL), DEFAULT_LOG_LEVEL).strip().toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new InvalidParameterException(LOG_LEVEL, "expected one of " + String.join(", ", LOG_LEVELS.stream()
                    .sorted().toList()) + ", got '" + level + "'");
        }
        List<String> names = new ArrayList<>();
        String namesRaw = value(parameters, HOST_NAMES);
        if (namesRaw != null) {
            for (String n : namesRaw.strip().split("[,\\s]+")) {
                if (n.isEmpty()) {
                    continue;
                }
                if (!HOST_NAME.matcher(n).matches() || n.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
                    throw new InvalidParameterException(HOST_NAMES, "expected DNS names separated by commas (for"
                            + " example print.example.com), got '" + n + "'");
                }
                names.add(n.toLowerCase(Locale.ROOT));
            }
        }
        return new SpoolerConfig(spool, listen, allow, cupsd, level, List.copyOf(names));
    }

    /** @return the {@code Allow from} values: @LOCAL, a.b.c.d/n, [v6]/n */
    static List<String> parseAllow(String raw) {
        List<String> out = new ArrayList<>();
        for (String token : raw.strip().split("[,\\s]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (token.equalsIgnoreCase("@LOCAL")) {
                out.add("@LOCAL");
                continue;
            }
            Matcher v4 = IPV4_CIDR.matcher(token);
            Matcher v6 = IPV6_CIDR.matcher(token);
            if (v4.matches()) {
                for (int i = 1; i <= 4; i++) {
                    String octet = v4.group(i);
                    if (Integer.parseInt(octet) > 255 || (octet.length() > 1 && octet.charAt(0) == '0')) {
                        throw notAllow(token);
                    }
                }
                int prefix = v4.group(5) == null ? 32 : Integer.parseInt(v4.group(5));
                if (prefix > 32) {
                    throw new InvalidParameterException(ALLOW, "'" + token + "': an IPv4 prefix is 0 to 32");
                }
                out.add(v4.group(1) + "." + v4.group(2) + "." + v4.group(3) + "." + v4.group(4) + "/" + prefix);
            } else if (v6.matches()) {
                InetAddress a;
                try {
                    a = InetAddress.getByName("[" + v6.group(1) + "]"); // a literal with a colon: no name lookup
                } catch (UnknownHostException e) {
                    throw notAllow(token);
                }
                if (!(a instanceof Inet6Address)) {
                    throw notAllow(token);
                }
                int prefix = v6.group(2) == null ? 128 : Integer.parseInt(v6.group(2));
                if (prefix > 128) {
                    throw new InvalidParameterException(ALLOW, "'" + token + "': an IPv6 prefix is 0 to 128");
                }
                out.add("[" + a.getHostAddress() + "]/" + prefix);
            } else {
                throw notAllow(token);
            }
        }
        if (out.isEmpty()) {
            throw new InvalidParameterException(ALLOW, "give at least one network (or @LOCAL)");
        }
        return List.copyOf(out);
    }

    private static InvalidParameterException notAllow(String token) {
        return new InvalidParameterException(ALLOW, "expected @LOCAL or networks in CIDR form separated by commas (for"
                + " example 192.0.2.0/24, 2001:db8::/64), got '" + token + "'; host names are not accepted");
    }

    /** @return the value, or null when absent or blank (the admin set nothing) */
    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }

    /**
     * A path written into cupsd's configuration, where a value runs to the end of the line: no white space,
     * quote, backslash or control character.
     */
    private static Path confPath(String parameter, String raw) {
        if (raw.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '\\' || c == '#')) {
            throw new InvalidParameterException(parameter, "must not contain spaces, quotes, backslashes, '#' or control"
                    + " characters, got '" + raw + "'");
        }
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException(parameter, "not a path: '" + raw + "'");
        }
    }
}
