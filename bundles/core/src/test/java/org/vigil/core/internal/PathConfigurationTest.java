package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathConfigurationTest {

    @Test
    void onlyTransportParametersArePassedOnNotWhatTheFrameworkAdds() {
        PathConfiguration c = new PathConfiguration(Map.of("name", "lan", "type", "udp", "bind", "192.0.2.1:7400",
                "peers", "192.0.2.2:7400", "service.pid", "org.vigil.path.abc", "component.name", "x",
                "felix.fileinstall.filename", "file:/etc/org.vigil.path-lan.cfg",
                "osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)", "objectClass", "y"));
        assertThat(c.name()).isEqualTo("lan");
        assertThat(c.type()).isEqualTo("udp");
        assertThat(c.params()).containsOnlyKeys("bind", "peers");
        assertThat(c.pid()).isEqualTo("org.vigil.path.abc");
    }
}
