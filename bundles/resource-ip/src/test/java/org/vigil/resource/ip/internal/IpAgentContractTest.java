package org.vigil.resource.ip.internal;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.api.resource.ResourceType;
import org.vigil.tck.ResourceAgentContract;

/** The ip agent passes the contract every resource agent passes, on a real veth in the test's namespace. */
class IpAgentContractTest extends ResourceAgentContract {

    @RegisterExtension
    final NetLab lab = new NetLab();

    @BeforeEach
    void buildNetwork() {
        NetLab.requireEnvironment("ip", "arping");
        lab.start();
    }

    @Override
    protected ResourceType type() {
        return new IpResourceType();
    }

    @Override
    protected Map<String, String> validParameters() {
        return Map.of("address", lab.v4(1) + "/" + lab.v4Prefix(), "interface", lab.nodeIf());
    }

    @Override
    protected Map.Entry<Map<String, String>, String> invalidParameters() {
        return Map.entry(Map.of("address", "300.1.1.1/24", "interface", "eth0"), "address");
    }
}
