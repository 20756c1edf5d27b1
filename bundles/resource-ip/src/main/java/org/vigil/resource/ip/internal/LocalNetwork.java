package org.vigil.resource.ip.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads the addresses and link state of this node's network namespace in-process, without forking: the
 * monitor runs every second for every virtual address, and a fork per check is what makes shell agents
 * expensive. IPv4 addresses and link state come from {@link NetworkInterface} (ioctls on a socket of the
 * JVM's own namespace); IPv6 addresses, with their DAD flags, from {@code /proc/net/if_inet6}, which also
 * shows the namespace of the reading process.
 */
final class LocalNetwork {

    /** IFA_F_DADFAILED: another host answered the kernel's duplicate address detection. */
    static final int IFA_F_DADFAILED = 0x08;
    /** IFA_F_TENTATIVE: duplicate address detection is still running. */
    static final int IFA_F_TENTATIVE = 0x40;

    private static final Path IF_INET6 = Path.of("/proc/net/if_inet6");

    /** What is on an interface for one address. */
    enum Presence {
        /** the interface does not exist */
        NO_INTERFACE,
        /** the address is not on the interface */
        ABSENT,
        /** the address is on the interface, but with another prefix length */
        OTHER_PREFIX,
        /** IPv6 only: duplicate address detection is running */
        TENTATIVE,
        /** IPv6 only: duplicate address detection found another owner */
        DAD_FAILED,
        /** the address is on the interface with the configured prefix */
        PRESENT
    }

    /**
     * @param iface  an interface name
     * @return its state, or empty when it does not exist
     */
    Optional<NetworkInterface> find(String iface) {
        try {
            return Optional.ofNullable(NetworkInterface.getByName(iface));
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    /**
     * @param iface an interface name
     * @return true when it is up and has a carrier (IFF_UP and IFF_RUNNING)
     */
    boolean isUp(String iface) {
        try {
            NetworkInterface ni = NetworkInterface.getByName(iface);
            return ni != null && ni.isUp();
        } catch (SocketException e) {
            return false;
        }
    }

    /**
     * @param config the resource
     * @return whether its address is on its interface, and in what state
     */
    Presence presence(IpConfig config) {
        Optional<NetworkInterface> ni = find(config.iface());
        if (ni.isEmpty()) {
            return Presence.NO_INTERFACE;
        }
        if (config.isIpv6()) {
            return ipv6Presence(config);
        }
        Presence found = Presence.ABSENT;
        // Labelled addresses (eth0:web) are listed with the parent interface too.
        for (InterfaceAddress ia : ni.get().getInterfaceAddresses()) {
            if (ia.getAddress().equals(config.address())) {
                if (ia.getNetworkPrefixLength() == config.prefix()) {
                    return Presence.PRESENT;
                }
                found = Presence.OTHER_PREFIX;
            }
        }
        return found;
    }

    /**
     * @param address an address
     * @param except  the interface to leave out
     * @return the name of another interface of this node that has the address, if any
     */
    Optional<String> otherInterfaceWith(InetAddress address, String except) {
        try {
            NetworkInterface ni = NetworkInterface.getByInetAddress(address);
            if (ni == null) {
                return Optional.empty();
            }
            NetworkInterface top = ni.getParent() != null ? ni.getParent() : ni;
            return top.getName().equals(except) ? Optional.empty() : Optional.of(top.getName());
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    private Presence ipv6Presence(IpConfig config) {
        String wanted = HexFormat.of().formatHex(config.address().getAddress());
        String text;
        try {
            text = Files.readString(IF_INET6, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // No IPv6 in this kernel or namespace: the address cannot be there.
            return Presence.ABSENT;
        }
        Presence found = Presence.ABSENT;
        // address ifindex prefixlen scope flags name, all hex but the name
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || !f[0].equalsIgnoreCase(wanted) || !f[5].equals(config.iface())) {
                continue;
            }
            int prefix = Integer.parseInt(f[2], 16);
            int flags = Integer.parseInt(f[4], 16);
            if (prefix != config.prefix()) {
                found = Presence.OTHER_PREFIX;
            } else if ((flags & IFA_F_DADFAILED) != 0) {
                return Presence.DAD_FAILED;
            } else if ((flags & IFA_F_TENTATIVE) != 0) {
                return Presence.TENTATIVE;
            } else {
                return Presence.PRESENT;
            }
        }
        return found;
    }
}
