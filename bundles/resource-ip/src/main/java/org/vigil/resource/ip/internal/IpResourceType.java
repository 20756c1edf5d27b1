package org.vigil.resource.ip.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Resource type {@code ip}: a virtual IPv4 or IPv6 address that clients always talk to, added to an
 * interface of the node that runs the group and announced so that neighbours and switches learn its new
 * owner at once. Several addresses may share one interface; each is its own resource.
 */
@Component(service = ResourceType.class)
public final class IpResourceType implements ResourceType {

    static final String TYPE = "ip";

    /** How often a monitor retries a DNS registration that failed. */
    static final Duration DNS_RETRY = Duration.ofSeconds(30);

    private static final ResourceTypeDescription DESCRIPTION = new ResourceTypeDescription(TYPE,
            "Virtual IP address that moves with its group, announced by gratuitous ARP / unsolicited neighbour"
                    + " advertisement",
            List.of(
                    ParameterDescription.required(IpConfig.ADDRESS,
                            "The virtual address with its prefix length: IPv4 such as 192.0.2.10/24 or IPv6 such as"
                                    + " 2001:db8::10/64. Clients use this address; it is the same on every node."),
                    ParameterDescription.required(IpConfig.INTERFACE,
                            "The network interface that carries the address on every node, for example eth0 or"
                                    + " bond0. Start fails when it is missing or down; monitor fails when it goes"
                                    + " down."),
                    ParameterDescription.optional(IpConfig.ARP_COUNT,
                            "How many announcements tell neighbours and switches the new owner: gratuitous ARP"
                                    + " (IPv4, arping -U) or unsolicited neighbour advertisement (IPv6, ndptool; without"
                                    + " ndptool the kernel sends one). The first goes out at once, the rest one a second"
                                    + " in the background. 0 sends none.",
                            IpConfig.DEFAULT_ARP_COUNT),
                    ParameterDescription.optional(IpConfig.DAD_TIMEOUT,
                            "IPv4: how long start listens for another host answering for the address before it adds"
                                    + " it: RFC 5227 probes (arping -D), one per 100ms of it, at most 3. In"
                                    + " milliseconds (200ms) or seconds (0.5s, 1s; a number without unit is seconds),"
                                    + " 50ms to 10s; 0 skips the check. If a host answers, see dad-wait. IPv6 always"
                                    + " uses the kernel's duplicate address detection.",
                            IpConfig.DEFAULT_DAD_TIMEOUT),
                    ParameterDescription.optional(IpConfig.DAD_WAIT,
                            "IPv4: when another host answers for the address, how long start keeps listening again"
                                    + " (for an old owner that is releasing it) before it fails naming that host's MAC"
                                    + " address; the address is added as soon as one whole dad-timeout listen hears"
                                    + " nobody, so never while another host holds it. Same units, at most 10s;"
                                    + " 0 fails at once.",
                            IpConfig.DEFAULT_DAD_WAIT),
                    ParameterDescription.optional(IpConfig.HOSTNAME,
                            "A DNS name for the address, for example web.example.com: start registers it (A or"
                                    + " AAAA record, replacing any other) with an RFC 2136 dynamic update (nsupdate),"
                                    + " like a Windows cluster's network name. The record stays at stop. A failed"
                                    + " registration does not fail the start: monitor shows DEGRADED and retries.",
                            null),
                    ParameterDescription.optional(IpConfig.DNS_SERVER,
                            "With hostname: the DNS server that takes the update, as address or address:port"
                                    + " ([address]:port for IPv6). Default: the primary server of the name's zone, from"
                                    + " its SOA record.",
                            null),
                    ParameterDescription.optional(IpConfig.DNS_KEY,
                            "With hostname: absolute path of the TSIG key file that signs the update (as written by"
                                    + " tsig-keygen or ddns-confgen), present on every node. Default: unsigned.",
                            null),
                    ParameterDescription.optional(IpConfig.DNS_TTL,
                            "With hostname: the time to live of the record, in seconds.",
                            IpConfig.DEFAULT_DNS_TTL),
                    ParameterDescription.optional(IpConfig.LABEL,
                            "IPv4 only: a label for the address, the interface name followed by ':' and a suffix"
                                    + " (for example eth0:web), so that ifconfig-era tools show it as an alias.",
                            null)),
            Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(1));

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, IpConfig::parse);
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new IpHandler(context, new Tools(null), DNS_RETRY);
    }
}
