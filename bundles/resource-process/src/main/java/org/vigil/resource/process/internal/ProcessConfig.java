package org.vigil.resource.process.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code process} resource. Parsing is validation: {@link #parse} throws an
 * {@link InvalidParameterException} naming the first wrong parameter.
 *
 * @param command          the shell command line of the program
 * @param stopCommand      the shell command line that stops it, or null to signal it
 * @param stopSignal       the signal name (without SIG) sent to the group when there is no stop command
 * @param workingDirectory the working directory, or null for the state directory
 * @param environment      extra environment variables, in the order given
 * @param logFile          where output goes; relative to the state directory unless absolute
 * @param tcpCheck         the TCP check, or null
 * @param httpCheck        the HTTP check, or null
 * @param checkTimeout     how long one check may take
 */
record ProcessConfig(String command, String stopCommand, String stopSignal, Path workingDirectory,
        Map<String, String> environment, Path logFile, TcpCheck tcpCheck, HttpCheck httpCheck,
        Duration checkTimeout) {

    static final String COMMAND = "command";
    static final String STOP_COMMAND = "stop-command";
    static final String STOP_SIGNAL = "stop-signal";
    static final String WORKING_DIRECTORY = "working-directory";
    static final String ENVIRONMENT = "environment";
    static final String LOG_FILE = "log-file";
    static final String CHECK_TCP = "check-tcp";
    static final String CHECK_HTTP = "check-http";
    static final String CHECK_TIMEOUT = "check-timeout";

    static final String DEFAULT_STOP_SIGNAL = "TERM";
    static final String DEFAULT_LOG_FILE = "output.log";
    static final String DEFAULT_CHECK_TIMEOUT = "2s";

    /** Variables Vigil sets itself; an admin's value would be silently overridden, so it is refused. */
    static final Set<String> RESERVED_VARIABLES = Set.of("VIGIL_RESOURCE", "VIGIL_GROUP", "VIGIL_NODE", "VIGIL_PID");

    /**
     * Signals that make sense for stopping a program. STOP/TSTP would only pause it; KILL is what the
     * stop escalates to anyway, but an admin may want it straight away.
     */
    static final Set<String> STOP_SIGNALS = Set.of("TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH", "ABRT",
            "ALRM", "PWR", "KILL");

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]\\s]+)):(\\d{1,5})");

    /**
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static ProcessConfig parse(Map<String, String> parameters) {
        String command = value(parameters, COMMAND);
        if (command == null) {
            throw new InvalidParameterException(COMMAND, "required, and must not be blank");
        }
        return new ProcessConfig(command,
                value(parameters, STOP_COMMAND),
                parseSignal(orDefault(value(parameters, STOP_SIGNAL), DEFAULT_STOP_SIGNAL)),
                parseWorkingDirectory(value(parameters, WORKING_DIRECTORY)),
                parseEnvironment(value(parameters, ENVIRONMENT)),
                parseLogFile(orDefault(value(parameters, LOG_FILE), DEFAULT_LOG_FILE)),
                parseTcp(value(parameters, CHECK_TCP)),
                parseHttp(value(parameters, CHECK_HTTP)),
                parseDuration(CHECK_TIMEOUT, orDefault(value(parameters, CHECK_TIMEOUT), DEFAULT_CHECK_TIMEOUT)));
    }

    /** @return true when at least one health check is configured */
    boolean hasChecks() {
        return tcpCheck != null || httpCheck != null;
    }

    /** @return the value, or null when absent or blank (the admin set nothing) */
    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }

    static String parseSignal(String raw) {
        String name = raw.strip().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (!STOP_SIGNALS.contains(name)) {
            throw new InvalidParameterException(STOP_SIGNAL, "expected one of " + String.join(", ",
                    STOP_SIGNALS.stream().sorted().toList()) + ", got '" + raw + "'");
        }
        return name;
    }

    private static Path parseWorkingDirectory(String raw) {
        if (raw == null) {
            return null;
        }
        Path p = toPath(WORKING_DIRECTORY, raw);
        if (!p.isAbsolute()) {
            throw new InvalidParameterException(WORKING_DIRECTORY, "expected an absolute path, got '" + raw + "'");
        }
        return p;
    }

    private static Path parseLogFile(String raw) {
        return toPath(LOG_FILE, raw.strip());
    }

    private static Path toPath(String parameter, String raw) {
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException(parameter, "not a path: '" + raw + "'");
        }
    }

    static Map<String, String> parseEnvironment(String raw) {
        Map<String, String> env = new LinkedHashMap<>();
        if (raw == null) {
            return env;
        }
        for (String entry : raw.split(";")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq).strip();
            if (eq < 0 || !VARIABLE.matcher(name).matches()) {
                throw new InvalidParameterException(ENVIRONMENT, "expected NAME=VALUE entries separated by ';', got '"
                        + entry.strip() + "'");
            }
            if (RESERVED_VARIABLES.contains(name)) {
                throw new InvalidParameterException(ENVIRONMENT, name + " is set by Vigil and cannot be given");
            }
            if (env.put(name, e.substring(eq + 1)) != null) {
                throw new InvalidParameterException(ENVIRONMENT, name + " is given twice");
            }
        }
        return env;
    }

    static TcpCheck parseTcp(String raw) {
        if (raw == null) {
            return null;
        }
        Matcher m = HOST_PORT.matcher(raw.strip());
        int port = m.matches() ? Integer.parseInt(m.group(3)) : -1;
        if (port < 1 || port > 65535) {
            throw new InvalidParameterException(CHECK_TCP, "expected host:port, got '" + raw + "'");
        }
        return new TcpCheck(m.group(1) != null ? m.group(1) : m.group(2), port);
    }

    static HttpCheck parseHttp(String raw) {
        if (raw == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw new InvalidParameterException(CHECK_HTTP, "expected an http:// or https:// URL, got '" + raw + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new InvalidParameterException(CHECK_HTTP, "expected an http:// or https:// URL, got '" + raw + "'");
        }
        return new HttpCheck(uri);
    }

    static Duration parseDuration(String parameter, String raw) {
        String s = raw.strip();
        Duration d;
        Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        } else {
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw new InvalidParameterException(parameter, "expected a duration such as 500ms, 2s or 1m, got '"
                        + raw + "'");
            }
        }
        if (d.isZero() || d.isNegative()) {
            throw new InvalidParameterException(parameter, "must be positive, got '" + raw + "'");
        }
        return d;
    }
}
