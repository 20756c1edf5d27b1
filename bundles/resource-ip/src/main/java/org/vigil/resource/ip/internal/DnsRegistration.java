package org.vigil.resource.ip.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.ResourceContext;

/**
 * Registers the resource's host name in DNS with an RFC 2136 dynamic update ({@code nsupdate}), the way a
 * Windows cluster's network name registers itself: the record ({@code A} or {@code AAAA}) is replaced by one
 * that points at the virtual address. The record is left in place at stop: the address is the same on
 * every node, and removing the name during a failover would only make clients cache a negative answer.
 *
 * <p>A file in the resource's state directory remembers a successful registration until the next stop, so
 * a monitor knows without asking the DNS server.
 */
final class DnsRegistration {

    static final String MARKER = "dns-registered";
    private static final String SCRIPT = "nsupdate.txt";

    private final ResourceContext context;
    private final IpConfig config;
    private final String nsupdate;

    DnsRegistration(ResourceContext context, IpConfig config, String nsupdate) {
        this.context = context;
        this.config = config;
        this.nsupdate = nsupdate;
    }

    /** @return the record type for the address */
    String recordType() {
        return config.isIpv6() ? "AAAA" : "A";
    }

    /** @return true when this node registered the name for the address since the resource's last stop */
    boolean isRegistered() {
        try {
            return Files.readString(context.stateDirectory().resolve(MARKER), StandardCharsets.UTF_8).strip()
                    .equals(markerText());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends the update.
     *
     * @param timeout how long it may take
     * @return empty on success, otherwise what went wrong
     */
    Optional<String> register(Duration timeout) {
        Path dir = context.stateDirectory();
        Path script = dir.resolve(SCRIPT);
        StringBuilder s = new StringBuilder();
        if (config.dnsServer() != null) {
            s.append("server ").append(config.dnsServer()).append(' ').append(config.dnsPort()).append('\n');
        }
        s.append("update delete ").append(config.hostname()).append(' ').append(recordType()).append('\n');
        s.append("update add ").append(config.hostname()).append(' ').append(config.dnsTtl()).append(' ')
                .append(recordType()).append(' ').append(config.host()).append('\n');
        s.append("send\n");
        try {
            Files.writeString(script, s.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return Optional.of("cannot write " + script + ": " + e.getMessage());
        }
        long seconds = Math.max(1, timeout.toSeconds());
        List<String> cmd = new ArrayList<>(List.of(nsupdate, "-t", Long.toString(seconds), "-u", "1"));
        if (config.dnsKey() != null) {
            cmd.add("-k");
            cmd.add(config.dnsKey());
        }
        cmd.add(script.toString());
        CommandResult r = context.run(cmd, timeout.plusMillis(500));
        if (!r.succeeded()) {
            return Optional.of("nsupdate " + r.describeFailure());
        }
        try {
            Files.writeString(dir.resolve(MARKER), markerText() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.of("registered, but cannot write " + dir.resolve(MARKER) + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Forgets the registration (the record itself stays in DNS). */
    void forget() {
        try {
            Files.deleteIfExists(context.stateDirectory().resolve(MARKER));
        } catch (IOException e) {
            // the next start registers again anyway
        }
    }

    private String markerText() {
        return config.hostname() + " " + recordType() + " " + config.host();
    }
}
