package org.vigil.resource.fileshare.internal;

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
 * Resource type {@code fileshare}: a directory (usually on the group's shared disk) shared over SMB on the
 * group's virtual address by a Samba smbd that Vigil configures, runs in the foreground under the core's
 * supervisor and checks in-process.
 */
@Component(service = ResourceType.class)
public final class FileshareResourceType implements ResourceType {

    static final String TYPE = "fileshare";

    private static final ResourceTypeDescription DESCRIPTION = new ResourceTypeDescription(TYPE,
            "A directory shared over SMB on the group's virtual address by a managed Samba smbd",
            List.of(
                    ParameterDescription.required(FileshareConfig.PATH,
                            "Absolute path of the directory to share, usually on the group's shared disk (put the"
                                    + " disk resource before this one in the group). It must exist when the resource"
                                    + " starts; clients act on it as their Unix user."),
                    ParameterDescription.required(FileshareConfig.LISTEN,
                            "The address and port to serve on, nothing else: the group's virtual address, for"
                                    + " example 192.0.2.10:445 or [2001:db8::10]:445 (put the ip resource before"
                                    + " this one). A literal address; the wildcard is refused."),
                    ParameterDescription.required(FileshareConfig.SHARE,
                            "The share's name, as clients write it: //address/name."),
                    ParameterDescription.optional(FileshareConfig.PASSDB,
                            "The tdbsam account database (SMB users and password hashes), one file every node"
                                    + " reads: on the shared disk outside the shared directory, or copied to the same"
                                    + " path on every node. Made with pdbedit (see the fileshare manual, bundles/resource-fileshare/README.md). Required unless"
                                    + " guest-ok=true.", null),
                    ParameterDescription.optional(FileshareConfig.VALID_USERS,
                            "The users (and @groups) allowed in, separated by spaces or commas; unset: every"
                                    + " account of the database.", null),
                    ParameterDescription.optional(FileshareConfig.READ_ONLY,
                            "true: clients may read only.", FileshareConfig.DEFAULT_READ_ONLY),
                    ParameterDescription.optional(FileshareConfig.GUEST_OK,
                            "true: clients may connect without an account (as guest-account). Off unless asked"
                                    + " for.", FileshareConfig.DEFAULT_GUEST_OK),
                    ParameterDescription.optional(FileshareConfig.GUEST_ACCOUNT,
                            "The Unix user guests act as, when guest-ok=true.", FileshareConfig.DEFAULT_GUEST_ACCOUNT),
                    ParameterDescription.optional(FileshareConfig.SMBD,
                            "The smbd program: a name looked up in PATH and the sbin directories, or an absolute"
                                    + " path. Samba 4.15 or later (for --no-process-group).",
                            FileshareConfig.DEFAULT_SMBD)),
            Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(5));

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, FileshareConfig::parse);
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new FileshareHandler(context);
    }
}
