package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigCheckTest {

    @TempDir
    Path dir;

    /** As Declarative Services converts: a string that is no number throws when the method is called. */
    private static ClusterNode.Config scr(Map<String, String> props) {
        return (ClusterNode.Config) Proxy.newProxyInstance(ClusterNode.Config.class.getClassLoader(),
                new Class<?>[] {ClusterNode.Config.class}, (p, m, a) -> {
                    String raw = props.get(m.getName().replace('_', '.'));
                    if (raw == null) {
                        return m.getDefaultValue();
                    }
                    if (m.getReturnType() == long.class) {
                        return Long.parseLong(raw);
                    }
                    if (m.getReturnType() == int.class) {
                        return Integer.parseInt(raw);
                    }
                    return raw;
                });
    }

    @Test
    void goodValuesPassUnchanged() {
        Map<String, String> props = Map.of("dead.time.ms", "1500", "node.name", "n1", "public.lost.after", "4");
        NodeConfigCheck.Checked c = NodeConfigCheck.check(scr(props), props, null);
        assertThat(c.problem()).isNull();
        assertThat(c.config().dead_time_ms()).isEqualTo(1500);
        assertThat(c.config().node_name()).isEqualTo("n1");
        assertThat(c.config().public_lost_after()).isEqualTo(4);
        assertThat(c.config().heartbeat_interval_ms()).isEqualTo(100);
    }

    @Test
    void aBadNumberIsNamedWithItsKeyAndValueAndTheDefaultStandsInAtStart() {
        Map<String, String> props = Map.of("dead.time.ms", "abc", "public.ok.after", "two");
        assertThatThrownBy(() -> scr(props).dead_time_ms()).isInstanceOf(NumberFormatException.class)
                .message().doesNotContain("dead.time.ms"); // what the node said before
        NodeConfigCheck.Checked c = NodeConfigCheck.check(scr(props), props, null);
        assertThat(c.problem()).contains("dead.time.ms = 'abc' is not a whole number (the default 600 is used meanwhile)")
                .contains("public.ok.after = 'two' is not a whole number");
        assertThat(c.config().dead_time_ms()).isEqualTo(600);
        assertThat(c.config().public_ok_after()).isEqualTo(2);
    }

    @Test
    void onARunningNodeTheLastGoodValueStays() {
        Map<String, String> good = Map.of("dead.time.ms", "3000", "heartbeat.interval.ms", "200");
        ClusterNode.Config lastGood = NodeConfigCheck.check(scr(good), good, null).config();
        Map<String, String> bad = Map.of("dead.time.ms", "3s", "heartbeat.interval.ms", "250");
        NodeConfigCheck.Checked c = NodeConfigCheck.check(scr(bad), bad, lastGood);
        assertThat(c.problem()).contains("dead.time.ms = '3s'").contains("the last good value 3000");
        assertThat(c.config().dead_time_ms()).isEqualTo(3000);
        assertThat(c.config().heartbeat_interval_ms()).isEqualTo(250);
    }

    @Test
    void timingThatCannotWorkIsRefusedAsAPair() {
        Map<String, String> props = Map.of("dead.time.ms", "150", "heartbeat.interval.ms", "100");
        NodeConfigCheck.Checked c = NodeConfigCheck.check(scr(props), props, null);
        assertThat(c.problem()).contains("heartbeat.interval.ms = 100 and dead.time.ms = 150");
        assertThat(c.config().dead_time_ms()).isEqualTo(600);
        assertThat(c.config().heartbeat_interval_ms()).isEqualTo(100);
    }

    @Test
    void aShownValueIsShortAndHasNoControlCharacters() {
        Map<String, String> props = Map.of("dead.time.ms", "\u001b[2J" + "9".repeat(200));
        String p = NodeConfigCheck.check(scr(props), props, null).problem();
        assertThat(p).doesNotContain("\u001b").contains("'?[2J999").contains("...'");
        assertThat(p.length()).isLessThan(200);
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedNamingTheFileAndTheMode() throws Exception {
        Path key = dir.resolve("vigil-cluster.key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ClusterNode.readKey(key)).hasMessageContaining(key.toString())
                .hasMessageContaining("mode 0644").hasMessageContaining("0600 or 0400");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(ClusterNode.readKey(key)).hasSize(32);
    }
}
