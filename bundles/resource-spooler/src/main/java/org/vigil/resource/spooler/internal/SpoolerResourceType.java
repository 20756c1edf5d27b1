package org.vigil.resource.spooler.internal;

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
 * Resource type {@code spooler}: a CUPS print spooler whose queue definitions and queued jobs live on the
 * group's shared disk, so jobs queued before a failover are printed after it; cupsd runs in the foreground
 * under the core's supervisor, configured by Vigil, on the group's virtual address only.
 */
@Component(service = ResourceType.class)
public final class SpoolerResourceType implements ResourceType {

    static final String TYPE = "spooler";

    private static final ResourceTypeDescription DESCRIPTION = new ResourceTypeDescription(TYPE,
            "A CUPS print spooler with its queues and queued jobs on the group's shared disk",
            List.of(
                    ParameterDescription.required(SpoolerConfig.SPOOL_DIRECTORY,
                            "Absolute path of a directory on the group's shared disk (put the disk resource before"
                                    + " this one), created once by the admin, for example /srv/office/cups. It holds"
                                    + " the queue definitions (etc/: printers.conf, ppd/) and the jobs (spool/). A"
                                    + " missing directory fails the start: give a directory inside the mount, never"
                                    + " the mount point itself."),
                    ParameterDescription.required(SpoolerConfig.LISTEN,
                            "The address and port to accept print jobs on, nothing else: the group's virtual"
                                    + " address, for example 192.0.2.10:631 or [2001:db8::10]:631 (put the ip resource"
                                    + " before this one). A literal address; the wildcard is refused."),
                    ParameterDescription.optional(SpoolerConfig.ALLOW,
                            "Who may print: submit, list, hold, release and cancel jobs (any job; see the spooler manual, bundles/resource-spooler/README.md). Networks in CIDR form separated by"
                                    + " commas (192.0.2.0/24, 2001:db8::/64), or @LOCAL, every network this node has"
                                    + " an address on. Printer administration is never allowed over the network:"
                                    + " root on the node uses the admin socket in the state directory.",
                            SpoolerConfig.DEFAULT_ALLOW),
                    ParameterDescription.optional(SpoolerConfig.HOST_NAMES,
                            "DNS names clients reach the spooler by (for example the ip resource's hostname),"
                                    + " separated by commas: cupsd refuses requests naming any other host. The"
                                    + " address itself always works.",
                            null),
                    ParameterDescription.optional(SpoolerConfig.CUPSD,
                            "The cupsd program: a name looked up in PATH and the sbin directories, or an absolute"
                                    + " path. CUPS 2.3 or later.",
                            SpoolerConfig.DEFAULT_CUPSD),
                    ParameterDescription.optional(SpoolerConfig.LOG_LEVEL,
                            "cupsd's LogLevel (none, emerg, alert, crit, error, warn, notice, info, debug, debug2);"
                                    + " its log is cupsd.log in the resource's state directory.",
                            SpoolerConfig.DEFAULT_LOG_LEVEL)),
            Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(5));

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, SpoolerConfig::parse);
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new SpoolerHandler(context);
    }
}
