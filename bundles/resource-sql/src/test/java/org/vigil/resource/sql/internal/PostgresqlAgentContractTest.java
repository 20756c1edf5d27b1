package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.ResourceAgentContract;

/** The postgresql agent passes the contract every resource agent passes, with a real PostgreSQL on 127.0.0.1. */
class PostgresqlAgentContractTest extends ResourceAgentContract {

    private Path base;
    private Map<String, String> parameters;

    @BeforeEach
    void dataDirectory() throws IOException {
        SqlTestSupport.assume(SqlConfig.Kind.POSTGRESQL);
        base = SqlTestSupport.base();
        Path data = base.resolve("pgdata");
        SqlTestSupport.initPostgres(data);
        parameters = SqlTestSupport.parameters(SqlConfig.Kind.POSTGRESQL, data, AgentTestSupport.freePort(),
                SqlTestSupport.passwordFile(base), base.resolve("socket"));
    }

    @AfterEach
    void removeDataDirectory() {
        AgentTestSupport.deleteTree(base);
    }

    @Override
    protected ResourceType type() {
        return new PostgresqlResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return parameters;
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        Map<String, String> bad = new java.util.HashMap<>(parameters);
        bad.put("address", "0.0.0.0");
        return Map.entry(bad, "address");
    }
}
