package org.vigil.resource.spooler.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.ResourceAgentContract;

/** The spooler agent passes the contract every resource agent passes, with a real cupsd on 127.0.0.1. */
class SpoolerAgentContractTest extends ResourceAgentContract {

    private Path spool;
    private int port;

    @BeforeEach
    void spoolDirectory() throws IOException {
        CupsTestSupport.assumeCups();
        spool = CupsTestSupport.openDirectory("vigil-spooler-contract-");
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void removeSpool() {
        AgentTestSupport.deleteTree(spool);
    }

    @Override
    protected ResourceType type() {
        return new SpoolerResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return Map.of("spool-directory", spool.toString(), "listen", "127.0.0.1:" + port);
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        return Map.entry(Map.of("spool-directory", "/srv/office/cups", "listen", "0.0.0.0:631"), "listen");
    }
}
