package org.vigil.resource.webroot.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.ResourceAgentContract;

/** The web root agent passes the contract every resource agent passes, with a real nginx on 127.0.0.1. */
class WebrootAgentContractTest extends ResourceAgentContract {

    private Path root;
    private int port;

    @BeforeEach
    void webRoot() throws IOException {
        WebTestSupport.assumeNginx();
        root = WebTestSupport.webRoot();
        Files.writeString(root.resolve("index.html"), "contract\n");
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void removeRoot() {
        AgentTestSupport.deleteTree(root);
    }

    @Override
    protected ResourceType type() {
        return new WebrootResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return Map.of("root", root.toString(), "listen", "127.0.0.1:" + port);
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        return Map.entry(Map.of("root", "/srv/www", "listen", "0.0.0.0:80"), "listen");
    }
}
