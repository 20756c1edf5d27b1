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
 * Resource type {@code postgresql}: a PostgreSQL cluster whose data directory is on the group's shared disk,
 * listening on the group's virtual address, monitored by a real query over JDBC.
 */
@Component(service = ResourceType.class)
public final class PostgresqlResourceType implements ResourceType {

    static final String TYPE = "postgresql";

    private static final ResourceTypeDescription DESCRIPTION = SqlDescriptions.describe(SqlConfig.Kind.POSTGRESQL);

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, p -> SqlConfig.parse(SqlConfig.Kind.POSTGRESQL, p));
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new PostgresqlHandler(context);
    }
}
