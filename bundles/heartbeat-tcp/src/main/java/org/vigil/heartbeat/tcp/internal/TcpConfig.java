package org.vigil.heartbeat.tcp.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed parameters of one tcp path. Parsing collects every problem instead of stopping at the
 * first, so the admin fixes a configuration in one round. Addresses must be literals: a heartbeat path
 * must not depend on DNS. (The same rules and messages as the udp path's.)
 *
 * @param bind  the local address and port to listen on; connections to peers leave from this address too
 * @param peers the peers to dial, in the admin's order, without duplicates
 */
record TcpConfig(InetSocketAddress bind, List<InetSocketAddress> peers) {

    static final String BIND = "bind";
    static final String PEERS = "peers";

    private static final String FORMAT_HINT = "expected an IPv4 address or an [IPv6] address in brackets, "
            + "then :port from 1 to 65535; host names are not accepted";
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3}):(\\d{1,5})");
    // The inner part must contain a colon and only literal characters: InetAddress then parses it as an
    // IPv6 literal and never falls back to a DNS lookup.
    private static final Pattern IPV6 = Pattern.compile("\\[([0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.\\-]+)?)\\]:(\\d{1,5})");

    TcpConfig {
        peers = List.copyOf(peers);
    }

    /** The result of parsing: a config when there were no problems, else the problems. */
    record Parsed(TcpConfig config, List<String> problems) {
    }

    /**
     * Parses and checks a path's parameters. Never throws.
     *
     * @param parameters the parameters with defaults filled in (may be null)
     * @return the config, or one message per problem
     */
    static Parsed parse(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        if (parameters == null) {
            problems.add(BIND + ": required (address:port to listen on)");
            problems.add(PEERS + ": required (comma-separated address:port list)");
            return new Parsed(null, problems);
        }
        String bindText = value(parameters, BIND);
        InetSocketAddress bind = null;
        if (bindText == null) {
            problems.add(BIND + ": required (address:port to listen on, for example 192.0.2.10:5406)");
        } else {
            bind = endpoint(BIND, bindText, problems);
            if (bind != null && bind.getAddress().isMulticastAddress()) {
                problems.add(BIND + ": '" + bindText + "' is a multicast address; tcp needs a local unicast address");
                bind = null;
            }
        }

        List<InetSocketAddress> peers = new ArrayList<>();
        String peersText = value(parameters, PEERS);
        if (peersText == null) {
            problems.add(PEERS + ": required (comma-separated address:port list of the other nodes)");
        } else {
            Set<InetSocketAddress> seen = new LinkedHashSet<>();
            for (String raw : peersText.split(",", -1)) {
                String entry = raw.strip();
                if (entry.isEmpty()) {
                    problems.add(PEERS + ": '" + peersText + "' has an empty entry");
                    continue;
                }
                InetSocketAddress peer = endpoint(PEERS, entry, problems);
                if (peer == null) {
                    continue;
                }
                InetAddress address = peer.getAddress();
                if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
                    problems.add(PEERS + ": '" + entry + "' is not a unicast address");
                } else if (bind != null && !sameFamily(peer, bind)) {
                    problems.add(PEERS + ": '" + entry + "' is " + family(peer) + " but " + BIND + " '" + bindText + "' is "
                            + family(bind));
                } else if (peer.equals(bind)) {
                    problems.add(PEERS + ": '" + entry + "' is this node's own " + BIND + " address");
                } else if (!seen.add(peer)) {
                    problems.add(PEERS + ": '" + entry + "' is listed more than once");
                }
            }
            peers.addAll(seen);
        }
        if (!problems.isEmpty()) {
            return new Parsed(null, List.copyOf(problems));
        }
        return new Parsed(new TcpConfig(bind, peers), List.of());
    }

    /** @return the trimmed value, or null when absent or blank */
    private static String value(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.strip();
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port} without any name lookup.
     *
     * @return the endpoint, or null after adding a problem naming the parameter and the value
     */
    static InetSocketAddress endpoint(String parameter, String text, List<String> problems) {
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

    private static boolean sameFamily(InetSocketAddress a, InetSocketAddress b) {
        return (a.getAddress() instanceof Inet4Address) == (b.getAddress() instanceof Inet4Address);
    }

    private static String family(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address ? "IPv4" : "IPv6";
    }

    /** @return {@code a.b.c.d:port} or {@code [v6]:port}, never a host name */
    static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        return ip instanceof Inet6Address
                ? "[" + ip.getHostAddress() + "]:" + address.getPort()
                : ip.getHostAddress() + ":" + address.getPort();
    }
}
