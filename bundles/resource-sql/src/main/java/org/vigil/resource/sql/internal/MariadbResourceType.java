package org.vigil.resource.sql.internal;

import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Resource type {@code mariadb}: a MariaDB server whose data directory is on the group's shared disk,
 * listening on the group's virtual address, monitored by a real query over JDBC.
 */
@Component(service = ResourceType.class)
public final class MariadbResourceType implements ResourceType {

    static final String TYPE = "mariadb";

    private static final ResourceTypeDescription DESCRIPTION = SqlDescriptions.describe(SqlConfig.Kind.MARIADB);

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, p -> SqlConfig.parse(SqlConfig.Kind.MARIADB, p));
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new MariadbHandler(context);
    }
}
