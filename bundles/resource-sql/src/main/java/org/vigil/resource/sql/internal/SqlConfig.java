package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code postgresql} or {@code mariadb} resource. Parsing is validation:
 * {@link #parse} throws an {@link InvalidParameterException} naming the first wrong parameter.
 *
 * @param dataDirectory   the server's data directory, usually on the group's shared disk
 * @param addresses       the literal addresses the server listens on (never the wildcard)
 * @param port            the TCP port
 * @param socketDirectory the directory of the server's unix socket, or null for the resource's state directory
 * @param monitorUser     the database user the monitor logs in as
 * @param passwordFile    the file holding that user's password (first line)
 * @param database        the database the monitor connects to (PostgreSQL), or null
 * @param program         the server program, or null for the engine's default lookup
 * @param osUser          the operating-system user the server runs as (MariaDB), or null
 * @param configFile      the server's own option file (MariaDB {@code --defaults-file}), or null for none
 */
record SqlConfig(Path dataDirectory, List<InetAddress> addresses, int port, Path socketDirectory, String monitorUser,
        Path passwordFile, String database, String program, String osUser, Path configFile) {

    static final String DATA_DIRECTORY = "data-directory";
    static final String ADDRESS = "address";
    static final String PORT = "port";
    static final String SOCKET_DIRECTORY = "socket-directory";
    static final String MONITOR_USER = "monitor-user";
    static final String MONITOR_PASSWORD_FILE = "monitor-password-file";
    static final String MONITOR_DATABASE = "monitor-database";
    static final String BIN_DIRECTORY = "bin-directory";
    static final String MARIADBD = "mariadbd";
    static final String USER = "user";
    static final String CONFIG_FILE = "config-file";

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");
    private static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_$.-]{1,63}");
    private static final Pattern PROGRAM = Pattern.compile("[^\\s\"'\\\\$;]+");

    /** The engine a configuration is parsed for: the parameters differ a little. */
    enum Kind {
        POSTGRESQL(5432), MARIADB(3306);

        final int defaultPort;

        Kind(int defaultPort) {
            this.defaultPort = defaultPort;
        }
    }

    /** @return the addresses as the servers take them: "192.0.2.10,2001:db8::10" */
    String addressList() {
        List<String> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            out.add(literal(a));
        }
        return String.join(",", out);
    }

    /** @return the first address in the form JDBC URLs take ("192.0.2.10", "[2001:db8::10]") */
    String urlHost() {
        InetAddress a = addresses.get(0);
        return a instanceof Inet6Address ? "[" + literal(a) + "]" : literal(a);
    }

    static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int zone = s.indexOf('%');
        return zone >= 0 ? s.substring(0, zone) : s;
    }

    /**
     * @param kind       the engine
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static SqlConfig parse(Kind kind, Map<String, String> parameters) {
        Path data = absolutePath(DATA_DIRECTORY, required(parameters, DATA_DIRECTORY, "the server's data directory,"
                + " usually on the group's shared disk, for example /srv/db/" + (kind == Kind.POSTGRESQL ? "pgdata"
                : "mysql")));
        List<InetAddress> addresses = parseAddresses(required(parameters, ADDRESS, "the group's virtual address(es),"
                + " for example 192.0.2.10"));
        int port = kind.defaultPort;
        String portRaw = value(parameters, PORT);
        if (portRaw != null) {
            try {
                port = Integer.parseInt(portRaw.strip());
            } catch (NumberFormatException e) {
                throw new InvalidParameterException(PORT, "expected a number from 1 to 65535, got '" + portRaw + "'");
            }
            if (port < 1 || port > 65535) {
                throw new InvalidParameterException(PORT, "expected a number from 1 to 65535, got " + port);
            }
        }
        String socketRaw = value(parameters, SOCKET_DIRECTORY);
        Path socketDir = socketRaw == null ? null : absolutePath(SOCKET_DIRECTORY, socketRaw);
        // Unix socket paths are limited to 107 bytes; leave room for ".s.PGSQL.65535" / "mysqld.sock".
        if (socketDir != null && socketDir.toString().length() > 90) {
            throw new InvalidParameterException(SOCKET_DIRECTORY, "too long for a unix socket path (at most 90"
                    + " characters), got " + socketDir.toString().length());
        }
        String user = required(parameters, MONITOR_USER, "the database user the monitor logs in as (create one"
                + " with a password; there is no default)").strip();
        if (!DB_NAME.matcher(user).matches()) {
            throw new InvalidParameterException(MONITOR_USER, "expected a user name of letters, digits and _ $ . -,"
                    + " got '" + user + "'");
        }
        Path passwordFile = absolutePath(MONITOR_PASSWORD_FILE, required(parameters, MONITOR_PASSWORD_FILE,
                "a file on every node, readable by root only, holding " + MONITOR_USER + "'s password on its first"
                        + " line"));
        String database = null;
        String program = null;
        String osUser = null;
        Path configFile = null;
        if (kind == Kind.POSTGRESQL) {
            database = orDefault(value(parameters, MONITOR_DATABASE), "postgres").strip();
            if (!DB_NAME.matcher(database).matches()) {
                throw new InvalidParameterException(MONITOR_DATABASE, "expected a database name of letters, digits"
                        + " and _ $ . -, got '" + database + "'");
            }
            String bin = value(parameters, BIN_DIRECTORY);
            if (bin != null && !bin.strip().equals("auto")) {
                program = absolutePath(BIN_DIRECTORY, bin).resolve("postgres").toString();
            }
        } else {
            program = orDefault(value(parameters, MARIADBD), "mariadbd").strip();
            if (!PROGRAM.matcher(program).matches() || (program.contains("/") && !program.startsWith("/"))) {
                throw new InvalidParameterException(MARIADBD, "expected an absolute path or a program name, got '"
                        + program + "'");
            }
            osUser = orDefault(value(parameters, USER), "mysql").strip();
            if (!USER_NAME.matcher(osUser).matches()) {
                throw new InvalidParameterException(USER, "expected a user name, got '" + osUser + "'");
            }
            if (osUser.equals("root")) {
                throw new InvalidParameterException(USER, "the server must not run as root; use mysql");
            }
            if (!userExists(osUser)) {
                throw new InvalidParameterException(USER, "no user '" + osUser + "' on this node (Debian's"
                        + " mariadb-server package creates mysql)");
            }
            String conf = value(parameters, CONFIG_FILE);
            configFile = conf == null ? null : absolutePath(CONFIG_FILE, conf);
        }
        return new SqlConfig(data, List.copyOf(addresses), port, socketDir, user, passwordFile, database, program,
                osUser, configFile);
    }

    static List<InetAddress> parseAddresses(String raw) {
        List<InetAddress> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String a = part.strip();
            InetAddress address = literalAddress(a);
            if (address.isAnyLocalAddress()) {
                throw new InvalidParameterException(ADDRESS, "the wildcard '" + a + "' is refused: give the literal"
                        + " address(es) clients connect to (the group's virtual address)");
            }
            if (address.isMulticastAddress()) {
                throw new InvalidParameterException(ADDRESS, "'" + a + "' is a multicast address");
            }
            if (out.contains(address)) {
                throw new InvalidParameterException(ADDRESS, "'" + a + "' is listed twice");
            }
            out.add(address);
        }
        return out;
    }

    private static InetAddress literalAddress(String a) {
        String hint = "expected literal IP addresses separated by commas (for example 192.0.2.10 or"
                + " 192.0.2.10,2001:db8::10); host names are not accepted, got '" + a + "'";
        Matcher v4 = IPV4.matcher(a);
        try {
            if (v4.matches()) {
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    String octet = v4.group(i + 1);
                    int value = Integer.parseInt(octet);
                    if (value > 255 || (octet.length() > 1 && octet.charAt(0) == '0')) {
                        throw new InvalidParameterException(ADDRESS, hint);
                    }
                    b[i] = (byte) value;
                }
                return InetAddress.getByAddress(b);
            }
            if (IPV6.matcher(a).matches()) {
                // Only literal characters and a colon: InetAddress parses it without a name lookup.
                InetAddress v6 = InetAddress.getByName("[" + a + "]");
                if (v6 instanceof Inet6Address) {
                    return v6;
                }
            }
        } catch (UnknownHostException e) {
            // falls through to the error below
        }
        throw new InvalidParameterException(ADDRESS, hint);
    }

    private static boolean userExists(String name) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return true; // cannot tell here; the server's own start will say
        }
    }

    private static String required(Map<String, String> parameters, String name, String what) {
        String v = value(parameters, name);
        if (v == null) {
            throw new InvalidParameterException(name, "required: " + what);
        }
        return v;
    }

    /** @return the value, or null when it is absent or blank (blank means "not set") */
    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }

    /** An absolute path, free of control characters and commas (the servers take some of them in lists). */
    private static Path absolutePath(String parameter, String raw) {
        String s = raw.strip();
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ',' || c == '\'' || c == '"' || c == '\\')) {
            throw new InvalidParameterException(parameter, "must not contain quotes, commas, backslashes or control"
                    + " characters, got '" + raw + "'");
        }
        Path p;
        try {
            p = Path.of(s);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException(parameter, "not a path: '" + raw + "'");
        }
        if (!p.isAbsolute()) {
            throw new InvalidParameterException(parameter, "expected an absolute path, got '" + raw + "'");
        }
        return p.normalize();
    }
}
