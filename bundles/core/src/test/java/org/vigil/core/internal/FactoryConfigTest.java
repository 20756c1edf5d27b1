package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.alert.AlertConfiguration;

class FactoryConfigTest {

    @Test
    void aDeviceOrSinkIsNamedByItsNameKeyElseByItsFileElseByItsPid() {
        Map<String, Object> fromFile = Map.of("felix.fileinstall.filename", "file:/opt/vigil/etc/org.vigil.fence-ipmi.cfg",
                "service.pid", "org.vigil.fence.1234", "type", " command ", "nodes", "node1");
        assertThat(new FenceConfiguration(fromFile).name()).isEqualTo("ipmi");
        assertThat(new FenceConfiguration(fromFile).type()).isEqualTo("command");
        Map<String, Object> named = Map.of("name", " pdu ", "felix.fileinstall.filename", "file:/etc/org.vigil.fence-x.cfg",
                "type", "command", "nodes", "node1");
        assertThat(new FenceConfiguration(named).name()).isEqualTo("pdu");
        Map<String, Object> noFile = Map.of("service.pid", "org.vigil.alert.99", "type", "mail");
        assertThat(new AlertConfiguration(noFile).name()).isEqualTo("org.vigil.alert.99");
        Map<String, Object> alertFile = Map.of("felix.fileinstall.filename", "file:/etc/org.vigil.alert-ops.cfg",
                "type", "mail");
        assertThat(new AlertConfiguration(alertFile).name()).isEqualTo("ops");
    }

    @Test
    void onlyLowerCaseWordsThatTheCoreDoesNotReadArePluginParameters() {
        Map<String, Object> props = Map.of("type", "command", "nodes", "node1", "level", "2", "command", " /usr/bin/fence ",
                "service.pid", "org.vigil.fence.1", "component.name", "x", "objectClass", "y", "timeout-seconds", 5);
        assertThat(new FenceConfiguration(props).params())
                .containsExactlyInAnyOrderEntriesOf(Map.of("command", "/usr/bin/fence", "timeout-seconds", "5"));
        assertThat(FactoryConfig.pluginParameters(props, java.util.Set.of("type")))
                .containsOnlyKeys("nodes", "level", "command", "timeout-seconds");
    }
}
