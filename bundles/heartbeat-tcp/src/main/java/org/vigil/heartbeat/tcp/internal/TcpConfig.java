package org.vigil.heartbeat.tcp.internal;

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

    TcpConfig {
        peers = List.copyOf(peers);
    }

    /**
     * Parses and checks a path's parameters. Never throws.
     *
     * @param parameters the parameters with defaults filled in (may be null)
     * @return the config, or one message per problem
     */
    static PathParameters<TcpConfig> parse(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        if (parameters == null) {
            problems.add(BIND + ": required (address:port to listen on)");
            problems.add(PEERS + ": required (comma-separated address:port list)");
            return PathParameters.invalid(problems);
        }
        String bindText = value(parameters, BIND);
        InetSocketAddress bind = null;
        if (bindText == null) {
            problems.add(BIND + ": required (address:port to listen on, for example 192.0.2.10:5406)");
        } else {
            bind = Endpoints.endpoint(BIND, bindText, problems);
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
                InetSocketAddress peer = Endpoints.endpoint(PEERS, entry, problems);
                if (peer == null) {
                    continue;
                }
                InetAddress address = peer.getAddress();
                if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
                    problems.add(PEERS + ": '" + entry + "' is not a unicast address");
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
        if (!problems.isEmpty()) {
            return PathParameters.invalid(problems);
        }
        return PathParameters.valid(new TcpConfig(bind, peers));
    }

    /** @return the trimmed value, or null when absent or blank */
    private static String value(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.strip();
    }
}
