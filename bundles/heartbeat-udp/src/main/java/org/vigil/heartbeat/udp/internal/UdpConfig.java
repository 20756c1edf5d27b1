package org.vigil.heartbeat.udp.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vigil.plugin.support.Endpoints;
import org.vigil.plugin.support.heartbeat.PathParameters;

/**
 * The parsed parameters of one udp path. Parsing collects every problem instead of stopping at the
 * first, so the admin fixes a configuration in one round.
 *
 * <p>Addresses must be literals: resolving a host name would make the heartbeat path depend on DNS,
 * which is exactly the kind of outside dependency that must not decide whether a node looks dead.
 *
 * @param bind          the local address and port to bind
 * @param peers         unicast destinations, in the admin's order, without duplicates
 * @param group         the multicast group, or null
 * @param interfaceName the multicast interface name, or null for the interface holding {@code bind}
 * @param ttl           the multicast time-to-live
 */
record UdpConfig(InetSocketAddress bind, List<InetSocketAddress> peers, InetSocketAddress group,
                 String interfaceName, int ttl) {

    static final String BIND = "bind";
    static final String PEERS = "peers";
    static final String GROUP = "multicast-group";
    static final String INTERFACE = "interface";
    static final String TTL = "ttl";
    static final int DEFAULT_TTL = 1;

    UdpConfig {
        peers = List.copyOf(peers);
    }

    /**
     * Parses and checks a path's parameters. Never throws.
     *
     * @param parameters the parameters with defaults filled in (may be null)
     * @return the config, or one message per problem
     */
    static PathParameters<UdpConfig> parse(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        if (parameters == null) {
            problems.add(BIND + ": required (address:port to listen on)");
            return PathParameters.invalid(problems);
        }

        String bindText = value(parameters, BIND);
        InetSocketAddress bind = null;
        if (bindText == null) {
            problems.add(BIND + ": required (address:port to listen on, for example 192.0.2.10:5405)");
        } else {
            bind = Endpoints.endpoint(BIND, bindText, problems);
            if (bind != null && bind.getAddress().isMulticastAddress()) {
                problems.add(BIND + ": '" + bindText + "' is a multicast address; bind a local address and put the group in "
                        + GROUP);
                bind = null;
            }
        }

        String groupText = value(parameters, GROUP);
        InetSocketAddress group = null;
        if (groupText != null) {
            group = Endpoints.endpoint(GROUP, groupText, problems);
            if (group != null && !group.getAddress().isMulticastAddress()) {
                problems.add(GROUP + ": '" + groupText + "' is not a multicast address (224.0.0.0/4 or ff00::/8)");
                group = null;
            }
            if (group != null && bind != null) {
                if (!Endpoints.sameFamily(group, bind)) {
                    problems.add(GROUP + ": '" + groupText + "' is " + Endpoints.family(group) + " but " + BIND + " '"
                            + bindText + "' is " + Endpoints.family(bind));
                } else if (bind.getAddress().isAnyLocalAddress() && bind.getPort() == group.getPort()) {
                    // A wildcard socket on the group's port would receive every group frame a second time.
                    problems.add(GROUP + ": '" + groupText + "' uses the same port as " + BIND + " '" + bindText
                            + "', which is a wildcard address; use a different port");
                }
            }
        }

        List<InetSocketAddress> peers = new ArrayList<>();
        String peersText = value(parameters, PEERS);
        if (peersText == null) {
            if (groupText == null) {
                problems.add(PEERS + ": required unless " + GROUP + " is set (comma-separated address:port list)");
            }
        } else {
            Set<InetSocketAddress> seen = new LinkedHashSet<>();
            for (String raw : peersText.split(",", -1)) {
                String entry = raw.strip();
                if (entry.isEmpty()) {
                    problems.add(PEERS + ": '" + peersText + "' has an empty entry");
                    continue;
                }
                InetSocketAddress peer = Endpoints.endpoint(PEERS, entry, problems);
                if (peer == null) {
                    continue;
                }
                InetAddress address = peer.getAddress();
                if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
                    problems.add(PEERS + ": '" + entry + "' is not a unicast address"
                            + (address.isMulticastAddress() ? " (put a group in " + GROUP + ")" : ""));
                } else if (bind != null && !Endpoints.sameFamily(peer, bind)) {
                    problems.add(PEERS + ": '" + entry + "' is " + Endpoints.family(peer) + " but " + BIND + " '" + bindText
                            + "' is " + Endpoints.family(bind));
                } else if (peer.equals(bind)) {
                    problems.add(PEERS + ": '" + entry + "' is this node's own " + BIND + " address");
                } else if (!seen.add(peer)) {
                    problems.add(PEERS + ": '" + entry + "' is listed more than once");
                }
            }
            peers.addAll(seen);
        }

        String interfaceName = value(parameters, INTERFACE);
        if (interfaceName != null) {
            if (interfaceName.chars().anyMatch(Character::isWhitespace)) {
                problems.add(INTERFACE + ": '" + interfaceName + "' is not a network interface name");
            } else if (groupText == null) {
                problems.add(INTERFACE + ": '" + interfaceName + "' is set but " + GROUP
                        + " is not (the interface only selects where multicast goes)");
            }
        } else if (group != null && bind != null && bind.getAddress().isAnyLocalAddress()) {
            problems.add(INTERFACE + ": required when " + GROUP + " is set and " + BIND + " '" + bindText
                    + "' is a wildcard address");
        }

        int ttl = DEFAULT_TTL;
        String ttlText = value(parameters, TTL);
        if (ttlText != null) {
            try {
                ttl = Integer.parseInt(ttlText);
            } catch (NumberFormatException e) {
                ttl = -1;
            }
            if (ttl < 0 || ttl > 255) {
                problems.add(TTL + ": '" + ttlText + "' is not a number from 0 to 255");
            }
        }

        if (!problems.isEmpty()) {
            return PathParameters.invalid(problems);
        }
        return PathParameters.valid(new UdpConfig(bind, peers, group, interfaceName, ttl));
    }

    /** @return the trimmed value, or null when absent or blank (an optional parameter left empty) */
    private static String value(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.strip();
    }
}
