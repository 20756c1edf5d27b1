package org.vigil.resource.fileshare.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.AgentTestSupport;
import org.vigil.tck.ResourceAgentContract;

/** The file share agent passes the contract every resource agent passes, with a real smbd on 127.0.0.1. */
class FileshareAgentContractTest extends ResourceAgentContract {

    private static SmbTestSupport.TestUser user;
    private static Path accounts;

    private Path share;
    private int port;

    @BeforeAll
    static void account() throws IOException {
        SmbTestSupport.assumeSamba();
        user = SmbTestSupport.TestUser.create();
        accounts = SmbTestSupport.openDirectory("vigil-fileshare-accounts-");
        SmbTestSupport.addAccount(accounts.resolve("passdb.tdb"), user);
    }

    @AfterAll
    static void removeAccount() {
        if (user != null) {
            user.close();
        }
        AgentTestSupport.deleteTree(accounts);
    }

    @BeforeEach
    void shareDirectory() throws IOException {
        share = SmbTestSupport.openDirectory("vigil-fileshare-contract-");
        port = AgentTestSupport.freePort();
    }

    @AfterEach
    void removeShare() {
        AgentTestSupport.deleteTree(share);
    }

    @Override
    protected ResourceType type() {
        return new FileshareResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return Map.of("path", share.toString(), "listen", "127.0.0.1:" + port, "share", "data", "passdb",
                accounts.resolve("passdb.tdb").toString(), "valid-users", user.name);
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        return Map.entry(Map.of("path", "/srv/share", "listen", "0.0.0.0:445", "share", "data", "passdb",
                "/srv/samba/passdb.tdb"), "listen");
    }
}
