package org.vigil.resource.webroot.internal;

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
 * Resource type {@code webroot}: a directory (usually on the group's shared disk) served over HTTP on the
 * group's virtual address by an nginx that Vigil configures, runs in the foreground under the core's
 * supervisor and checks in-process.
 */
@Component(service = ResourceType.class)
public final class WebrootResourceType implements ResourceType {

    static final String TYPE = "webroot";

    private static final ResourceTypeDescription DESCRIPTION = new ResourceTypeDescription(TYPE,
            "A directory served over HTTP on the group's virtual address by a managed nginx",
            List.of(
                    ParameterDescription.required(WebrootConfig.ROOT,
                            "Absolute path of the directory to serve, usually on the group's shared disk (put the"
                                    + " disk resource before this one in the group). It must exist when the resource"
                                    + " starts, and be readable by the user nginx's workers run as."),
                    ParameterDescription.required(WebrootConfig.LISTEN,
                            "The address and port to serve on, nothing else: the group's virtual address, for"
                                    + " example 192.0.2.10:80 or [2001:db8::10]:80 (put the ip resource before this"
                                    + " one). A literal address; the wildcard is refused."),
                    ParameterDescription.optional(WebrootConfig.INDEX,
                            "The file(s) served for a directory, separated by spaces.", WebrootConfig.DEFAULT_INDEX),
                    ParameterDescription.optional(WebrootConfig.NGINX,
                            "The nginx program: a name looked up in PATH and the sbin directories, or an absolute"
                                    + " path. nginx 1.19.5 or later.",
                            WebrootConfig.DEFAULT_NGINX),
                    ParameterDescription.optional(WebrootConfig.USER,
                            "The user nginx's worker processes run as (when the node runs as root; the master"
                                    + " stays root to bind the port).",
                            WebrootConfig.DEFAULT_USER),
                    ParameterDescription.optional(WebrootConfig.ACCESS_LOG,
                            "Where nginx logs each request: a file (relative paths are in the resource's state"
                                    + " directory), or off. Errors always go to nginx.log in the state directory.",
                            WebrootConfig.DEFAULT_ACCESS_LOG)),
            Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(2));

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, WebrootConfig::parse);
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new WebrootHandler(context);
    }
}
