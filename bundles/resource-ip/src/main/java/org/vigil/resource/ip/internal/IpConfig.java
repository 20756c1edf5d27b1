package org.vigil.resource.ip.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code ip} resource. Parsing is validation: {@link #parse} throws an
 * {@link InvalidParameterException} naming the first wrong parameter. Nothing here resolves a name.
 *
 * @param address     the virtual address
 * @param prefix      its prefix length
 * @param addressText what the admin wrote, for messages
 * @param iface       the interface it is added to
 * @param arpCount    how many gratuitous ARPs / unsolicited NAs announce it (0: none)
 * @param dadTimeout  IPv4: how long to listen for another owner before adding it (zero: no check)
 * @param dadWait     IPv4: how long to keep re-checking while another host still answers for it (zero: fail at once)
 * @param label       IPv4 label (for example {@code eth0:web}), or null
 * @param hostname    the DNS name registered for the address, or null
 * @param dnsServer   the DNS server that takes the update, or null for the zone's primary (SOA)
 * @param dnsPort     its port
 * @param dnsKey      the TSIG key file for nsupdate, or null
 * @param dnsTtl      the TTL of the registered record, in seconds
 */
record IpConfig(InetAddress address, int prefix, String addressText, String iface, int arpCount, Duration dadTimeout,
        Duration dadWait, String label, String hostname, String dnsServer, int dnsPort, String dnsKey, int dnsTtl) {

    static final String ADDRESS = "address";
    static final String INTERFACE = "interface";
    static final String ARP_COUNT = "arp-count";
    static final String DAD_TIMEOUT = "dad-timeout";
    static final String DAD_WAIT = "dad-wait";
    static final String HOSTNAME = "hostname";
    static final String LABEL = "label";
    static final String DNS_SERVER = "dns-server";
    static final String DNS_KEY = "dns-key";
    static final String DNS_TTL = "dns-ttl";

    static final String DEFAULT_ARP_COUNT = "3";
    static final String DEFAULT_DAD_TIMEOUT = "200ms";
    static final String DEFAULT_DAD_WAIT = "2s";
    static final String DEFAULT_DNS_TTL = "300";

    static final int MAX_ARP_COUNT = 30;
    static final Duration MAX_DAD_TIMEOUT = Duration.ofSeconds(10);
    /** Shorter listens are raised to this: below it, arping may be stopped before its probe is out. */
    static final Duration MIN_DAD_TIMEOUT = Duration.ofMillis(50);
    static final Duration MAX_DAD_WAIT = Duration.ofSeconds(10);

    /** Linux interface names: at most 15 bytes, no '/', ':' or blank (dev_valid_name). */
    private static final Pattern IFNAME = Pattern.compile("[^/:\\s]{1,15}");
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern LABEL_NAME = Pattern.compile("[^/\\s]{1,15}");
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    /** Milliseconds with "ms"; seconds with "s" or no unit (as before: "1" is one second), with up to 3 decimals. */
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(?:\\.(\\d{1,3}))?\\s*(ms|s)?");
    private static final Pattern SERVER = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::(\\d{1,5}))?|([0-9.]+)(?::(\\d{1,5}))?|"
            + "([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)");

    /**
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static IpConfig parse(Map<String, String> parameters) {
        String addressText = value(parameters, ADDRESS);
        if (addressText == null) {
            throw new InvalidParameterException(ADDRESS, "required: the virtual address with its prefix, for example"
                    + " 192.0.2.10/24 or 2001:db8::10/64");
        }
        String iface = value(parameters, INTERFACE);
        if (iface == null) {
            throw new InvalidParameterException(INTERFACE, "required: the interface that carries the address, for"
                    + " example eth0");
        }
        iface = iface.strip();
        if (!IFNAME.matcher(iface).matches() || iface.equals(".") || iface.equals("..")) {
            throw new InvalidParameterException(INTERFACE, "'" + iface + "' is not an interface name (at most 15"
                    + " characters, no '/', ':' or blanks; an alias such as eth0:1 is given as label)");
        }
        String a = addressText.strip();
        int slash = a.indexOf('/');
        InetAddress address = slash < 0 ? null : parseAddress(a.substring(0, slash));
        int prefix = -1;
        if (address != null && a.substring(slash + 1).matches("\\d{1,3}")) {
            prefix = Integer.parseInt(a.substring(slash + 1));
        }
        int maxPrefix = address instanceof Inet4Address ? 32 : 128;
        if (address == null || prefix < 1 || prefix > maxPrefix) {
            throw new InvalidParameterException(ADDRESS, "'" + a + "' is not an IPv4 or IPv6 address with a prefix"
                    + " (for example 192.0.2.10/24 or 2001:db8::10/64)");
        }
        checkUsable(address, prefix, a);
        int arpCount = parseInt(ARP_COUNT, orDefault(value(parameters, ARP_COUNT), DEFAULT_ARP_COUNT), 0,
                MAX_ARP_COUNT);
        Duration dad = parseDuration(DAD_TIMEOUT, orDefault(value(parameters, DAD_TIMEOUT), DEFAULT_DAD_TIMEOUT),
                MAX_DAD_TIMEOUT, "0 skips the check");
        if (!dad.isZero() && dad.compareTo(MIN_DAD_TIMEOUT) < 0) {
            dad = MIN_DAD_TIMEOUT;
        }
        Duration dadWait = parseDuration(DAD_WAIT, orDefault(value(parameters, DAD_WAIT), DEFAULT_DAD_WAIT),
                MAX_DAD_WAIT, "0 fails at once");
        String label = parseLabel(value(parameters, LABEL), iface, address);
        String hostname = parseHostname(value(parameters, HOSTNAME));
        String serverText = value(parameters, DNS_SERVER);
        String dnsKey = value(parameters, DNS_KEY);
        if (hostname == null && serverText != null) {
            throw new InvalidParameterException(DNS_SERVER, "only used to register a hostname; set hostname too");
        }
        if (hostname == null && dnsKey != null) {
            throw new InvalidParameterException(DNS_KEY, "only used to register a hostname; set hostname too");
        }
        String server = null;
        int port = 53;
        if (serverText != null) {
            Matcher m = SERVER.matcher(serverText.strip());
            String host = null;
            String portText = null;
            if (m.matches()) {
                host = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
                portText = m.group(2) != null ? m.group(2) : m.group(4);
            }
            if (host == null || parseAddress(host) == null
                    || (portText != null && (Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535))) {
                throw new InvalidParameterException(DNS_SERVER, "'" + serverText.strip() + "' is not an IP address with"
                        + " an optional port (192.0.2.53, 192.0.2.53:5353, 2001:db8::53 or [2001:db8::53]:5353)");
            }
            server = canonical(parseAddress(host));
            port = portText == null ? 53 : Integer.parseInt(portText);
        }
        if (dnsKey != null && !dnsKey.strip().startsWith("/")) {
            throw new InvalidParameterException(DNS_KEY, "expected the absolute path of a TSIG key file, got '"
                    + dnsKey.strip() + "'");
        }
        int ttl = parseInt(DNS_TTL, orDefault(value(parameters, DNS_TTL), DEFAULT_DNS_TTL), 1, 86_400);
        return new IpConfig(address, prefix, a, iface, arpCount, dad, dadWait, label, hostname, server, port,
                dnsKey == null ? null : dnsKey.strip(), ttl);
    }

    /** @return true for an IPv6 address */
    boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** @return the address as ip(8) takes it: {@code 192.0.2.10/24} */
    String cidr() {
        return host() + "/" + prefix;
    }

    /** @return the address alone, in its canonical text form (RFC 5952 for IPv6: 2001:db8::10) */
    String host() {
        return canonical(address);
    }

    /** @param a an address; @return its canonical text: dotted quad, or IPv6 with the longest zero run as '::' */
    static String canonical(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }

    /** @return a literal IP address (never a name: no lookup), or null when the text is none */
    static InetAddress parseAddress(String text) {
        String t = text.strip();
        try {
            if (IPV4.matcher(t).matches()) {
                return InetAddress.getByName(t);
            }
            if (t.indexOf(':') >= 0 && IPV6.matcher(t).matches()) {
                // A text with ':' is parsed as an IPv6 literal and never looked up.
                InetAddress a = InetAddress.getByName(t);
                return a instanceof Inet6Address ? a : null;
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private static void checkUsable(InetAddress address, int prefix, String text) {
        String problem = null;
        if (address.isAnyLocalAddress()) {
            problem = "is the unspecified address";
        } else if (address.isLoopbackAddress()) {
            problem = "is a loopback address";
        } else if (address.isMulticastAddress()) {
            problem = "is a multicast address";
        } else if (address.isLinkLocalAddress() && address instanceof Inet6Address) {
            problem = "is a link-local address; a virtual address must be reachable beyond the link";
        } else if (address instanceof Inet4Address && prefix <= 30) {
            int bits = 32 - prefix;
            long host = (toLong(address) & ((1L << bits) - 1));
            if (host == 0) {
                problem = "is the network address of its /" + prefix;
            } else if (host == (1L << bits) - 1) {
                problem = "is the broadcast address of its /" + prefix;
            }
        }
        if (problem != null) {
            throw new InvalidParameterException(ADDRESS, "'" + text + "' " + problem);
        }
    }

    private static long toLong(InetAddress a) {
        long v = 0;
        for (byte b : a.getAddress()) {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }

    private static String parseLabel(String raw, String iface, InetAddress address) {
        if (raw == null) {
            return null;
        }
        String label = raw.strip();
        if (address instanceof Inet6Address) {
            throw new InvalidParameterException(LABEL, "labels exist for IPv4 addresses only");
        }
        if (!LABEL_NAME.matcher(label).matches() || !(label.equals(iface) || label.startsWith(iface + ":"))
                || label.equals(iface + ":")) {
            throw new InvalidParameterException(LABEL, "'" + label + "' must be the interface name followed by ':' and"
                    + " a suffix, at most 15 characters in all (for example " + iface + ":web)");
        }
        return label;
    }

    static String parseHostname(String raw) {
        if (raw == null) {
            return null;
        }
        String name = raw.strip().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String[] labels = name.split("\\.", -1);
        boolean ok = name.length() <= 253 && labels.length >= 2;
        for (String l : labels) {
            ok &= DNS_LABEL.matcher(l).matches();
        }
        if (!ok) {
            throw new InvalidParameterException(HOSTNAME, "'" + raw.strip() + "' is not a fully qualified host name"
                    + " (for example web.example.com)");
        }
        return name + ".";
    }

    /**
     * Parses a duration as the ip parameters take it: {@code 200ms}, {@code 0.5s}, {@code 2s}, or a bare number
     * of seconds ({@code 1}, {@code 1.5}), the forms written before milliseconds were allowed.
     */
    static Duration parseDuration(String parameter, String raw, Duration max, String zeroMeans) {
        String text = raw.strip();
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2) != null && "ms".equals(m.group(3)))) {
            throw new InvalidParameterException(parameter, "expected a duration in milliseconds such as 200ms, or in"
                    + " seconds such as 2s, 0.5s or 2 (a number without unit is seconds); " + zeroMeans + "; got '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d;
        if ("ms".equals(m.group(3))) {
            d = Duration.ofMillis(n);
        } else {
            String millis = (m.group(2) == null ? "" : m.group(2)) + "000";
            d = Duration.ofSeconds(n).plusMillis(Long.parseLong(millis.substring(0, 3)));
        }
        if (d.compareTo(max) > 0) {
            throw new InvalidParameterException(parameter, "at most " + max.toSeconds() + "s, got '" + text + "'");
        }
        return d;
    }

    /** @param d a duration; @return it as the parameters write it: 200ms, 2s, 1.5s */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000).replaceAll("0+$", "") + "s";
    }

    private static int parseInt(String parameter, String raw, int min, int max) {
        String s = raw.strip();
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(parameter, "expected a whole number from " + min + " to " + max
                    + ", got '" + s + "'");
        }
        if (v < min || v > max) {
            throw new InvalidParameterException(parameter, "expected a whole number from " + min + " to " + max
                    + ", got '" + s + "'");
        }
        return v;
    }

    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }
}
