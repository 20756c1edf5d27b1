package org.vigil.plugin.support;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Literal {@code address:port} endpoints of the network heartbeat paths (udp, tcp). Addresses must be
 * literals: resolving a host name would make a heartbeat path depend on DNS.
 */
public final class Endpoints {

    private static final String FORMAT_HINT = "expected an IPv4 address or an [IPv6] address in brackets, "
            + "then :port from 1 to 65535; host names are not accepted";
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3}):(\\d{1,5})");
    // The inner part must contain a colon and only literal characters: InetAddress then parses it as an
    // IPv6 literal and never falls back to a DNS lookup.
    private static final Pattern IPV6 = Pattern.compile("\\[([0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.\\-]+)?)\\]:(\\d{1,5})");

    private Endpoints() {
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port} without any name lookup.
     *
     * @param parameter the parameter's name, to start the problem message with
     * @param text      the value, already trimmed
     * @param problems  where a problem is added
     * @return the endpoint, or null after adding a problem naming the parameter and the value
     */
    public static InetSocketAddress endpoint(String parameter, String text, List<String> problems) {
        String notEndpoint = parameter + ": '" + text + "' is not address:port (" + FORMAT_HINT + ")";
        InetAddress address;
        String portText;
        Matcher v4 = IPV4.matcher(text);
        Matcher v6 = IPV6.matcher(text);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                String octet = v4.group(i + 1);
                int value = Integer.parseInt(octet);
                // Leading zeros are refused: some tools read them as octal, so "010" is ambiguous.
                if (value > 255 || (octet.length() > 1 && octet.charAt(0) == '0')) {
                    problems.add(notEndpoint);
                    return null;
                }
                bytes[i] = (byte) value;
            }
            try {
                address = InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                problems.add(notEndpoint);
                return null;
            }
            portText = v4.group(5);
        } else if (v6.matches()) {
            try {
                address = InetAddress.getByName("[" + v6.group(1) + "]");
            } catch (UnknownHostException e) {
                problems.add(notEndpoint);
                return null;
            }
            if (!(address instanceof Inet6Address)) {
                // [::ffff:a.b.c.d] comes back as IPv4: ask for the plain form so families compare sanely.
                problems.add(parameter + ": '" + text + "' is an IPv4-mapped address; write it as a.b.c.d:port");
                return null;
            }
            portText = v6.group(2);
        } else {
            problems.add(notEndpoint);
            return null;
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            problems.add(parameter + ": '" + text + "' has port " + portText + "; the port must be from 1 to 65535");
            return null;
        }
        return new InetSocketAddress(address, port);
    }

    /** @return whether both endpoints are IPv4, or both IPv6 */
    public static boolean sameFamily(InetSocketAddress a, InetSocketAddress b) {
        return (a.getAddress() instanceof Inet4Address) == (b.getAddress() instanceof Inet4Address);
    }

    /** @return "IPv4" or "IPv6" */
    public static String family(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address ? "IPv4" : "IPv6";
    }

    /** @return {@code a.b.c.d:port} or {@code [v6]:port}, never a host name */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        return ip instanceof Inet6Address
                ? "[" + ip.getHostAddress() + "]:" + address.getPort()
                : ip.getHostAddress() + ":" + address.getPort();
    }
}
