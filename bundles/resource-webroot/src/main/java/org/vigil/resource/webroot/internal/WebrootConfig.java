package org.vigil.resource.webroot.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code webroot} resource. Parsing is validation: {@link #parse} throws an
 * {@link InvalidParameterException} naming the first wrong parameter.
 *
 * @param root        the directory served
 * @param listen      the one address and port nginx listens on
 * @param index       the index file names, in order
 * @param nginx       the nginx program: an absolute path, or a name looked up in PATH and the sbin directories
 * @param user        the user nginx's workers run as when the node runs as root
 * @param accessLog   the access log (relative: to the state directory), or null for none
 */
record WebrootConfig(Path root, Listen listen, List<String> index, String nginx, String user, Path accessLog) {

    static final String ROOT = "root";
    static final String LISTEN = "listen";
    static final String INDEX = "index";
    static final String NGINX = "nginx";
    static final String USER = "user";
    static final String ACCESS_LOG = "access-log";

    static final String DEFAULT_INDEX = "index.html";
    static final String DEFAULT_NGINX = "nginx";
    static final String DEFAULT_USER = "www-data";
    static final String DEFAULT_ACCESS_LOG = "off";

    private static final Pattern LISTEN_FORMAT = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)):(\\d{1,5})");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern PROGRAM = Pattern.compile("[^\\s\"'\\\\$;]+");

    /**
     * The address nginx listens on: one literal IP address (never a wildcard, never a host name) and a port.
     *
     * @param address the address
     * @param port    the port
     */
    record Listen(InetAddress address, int port) {

        /** @return the form nginx and URLs use: 192.0.2.10:80 or [2001:db8::10]:80 */
        @Override
        public String toString() {
            String a = address.getHostAddress();
            int zone = a.indexOf('%');
            if (zone >= 0) {
                a = a.substring(0, zone);
            }
            return (address instanceof java.net.Inet6Address ? "[" + a + "]" : a) + ":" + port;
        }
    }

    /**
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static WebrootConfig parse(Map<String, String> parameters) {
        String rootRaw = value(parameters, ROOT);
        if (rootRaw == null) {
            throw new InvalidParameterException(ROOT, "required, and must not be blank");
        }
        Path root = confPath(ROOT, rootRaw.strip());
        if (!root.isAbsolute()) {
            throw new InvalidParameterException(ROOT, "expected an absolute path, got '" + rootRaw + "'");
        }
        String listenRaw = value(parameters, LISTEN);
        if (listenRaw == null) {
            throw new InvalidParameterException(LISTEN, "required: the group's virtual address and port, for example"
                    + " 192.0.2.10:80");
        }
        Listen listen = parseListen(listenRaw.strip());

        List<String> index = Arrays.asList(orDefault(value(parameters, INDEX), DEFAULT_INDEX).strip().split("\\s+"));
        for (String name : index) {
            if (!FILE_NAME.matcher(name).matches()) {
                throw new InvalidParameterException(INDEX, "expected file names separated by spaces (for example"
                        + " 'index.html index.htm'), got '" + name + "'");
            }
        }
        String nginx = orDefault(value(parameters, NGINX), DEFAULT_NGINX).strip();
        if (!PROGRAM.matcher(nginx).matches() || (nginx.contains("/") && !nginx.startsWith("/"))) {
            throw new InvalidParameterException(NGINX, "expected an absolute path or a program name, got '" + nginx
                    + "'");
        }
        String user = orDefault(value(parameters, USER), DEFAULT_USER).strip();
        if (!USER_NAME.matcher(user).matches()) {
            throw new InvalidParameterException(USER, "expected a user name, got '" + user + "'");
        }
        String log = orDefault(value(parameters, ACCESS_LOG), DEFAULT_ACCESS_LOG).strip();
        Path accessLog = log.equals("off") ? null : confPath(ACCESS_LOG, log);
        return new WebrootConfig(root.normalize(), listen, List.copyOf(index), nginx, user, accessLog);
    }

    static Listen parseListen(String raw) {
        Matcher m = LISTEN_FORMAT.matcher(raw);
        if (!m.matches()) {
            throw new InvalidParameterException(LISTEN, "expected address:port with a literal IP address (IPv6 in"
                    + " brackets: [2001:db8::10]:80), got '" + raw + "'");
        }
        int port = Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            throw new InvalidParameterException(LISTEN, "port must be 1 to 65535, got " + port);
        }
        String literal = m.group(1) != null ? m.group(1) : m.group(2);
        if (m.group(2) != null) {
            Matcher v4 = IPV4.matcher(literal);
            if (!v4.matches() || Arrays.stream(new int[] {1, 2, 3, 4}).anyMatch(i -> Integer.parseInt(v4.group(i)) > 255)) {
                throw new InvalidParameterException(LISTEN, "'" + literal + "' is not an IPv4 address");
            }
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(literal); // a literal: no name lookup happens
        } catch (UnknownHostException e) {
            throw new InvalidParameterException(LISTEN, "'" + literal + "' is not an IP address");
        }
        if (address.isAnyLocalAddress()) {
            throw new InvalidParameterException(LISTEN, "the wildcard address would serve on every address of the node;"
                    + " give the group's virtual address");
        }
        if (address.isMulticastAddress()) {
            throw new InvalidParameterException(LISTEN, "'" + literal + "' is a multicast address");
        }
        return new Listen(address, port);
    }

    /** @return the value, or null when absent or blank (the admin set nothing) */
    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }

    /** A path written into nginx's configuration, quoted there: no quote, backslash, '$' or control character. */
    private static Path confPath(String parameter, String raw) {
        if (raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '$')) {
            throw new InvalidParameterException(parameter, "must not contain quotes, backslashes, '$' or control"
                    + " characters, got '" + raw + "'");
        }
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException(parameter, "not a path: '" + raw + "'");
        }
    }
}
