package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

    /** The keys whose values are whole numbers. */
    private static List<String> numberKeys() {
        List<String> keys = new ArrayList<>();
        NodeSettings.DEFAULT_VALUES.forEach((k, v) -> {
            if (!(v instanceof String)) {
                keys.add(k);
            }
        });
        return keys;
    }

    @Test
    void goodValuesPassUnchanged() {
        Map<String, String> props = Map.of("dead.time.ms", "1500", "node.name", "n1", "public.lost.after", "4");
        NodeSettings.Parsed c = NodeSettings.parse(props);
        assertThat(c.problem()).isNull();
        assertThat(c.errors()).isEmpty();
        assertThat(c.settings().deadTimeMs()).isEqualTo(1500);
        assertThat(c.settings().nodeName()).isEqualTo("n1");
        assertThat(c.settings().publicLostAfter()).isEqualTo(4);
        assertThat(c.settings().heartbeatIntervalMs()).isEqualTo(100);
    }

    @Test
    void anEmptyConfigurationIsTheDefaults() {
        NodeSettings.Parsed c = NodeSettings.parse(Map.of("service.pid", "org.vigil.node", "component.id", 7L));
        assertThat(c.errors()).isEmpty();
        assertThat(c.settings()).isEqualTo(NodeSettings.DEFAULTS);
        assertThat(c.settings().quorum()).isEqualTo("on");
        assertThat(c.settings().quorumTiebreaker()).isEqualTo("none");
        assertThat(c.settings().configuredNodeName()).isNull();
    }

    @Test
    void everyKeyReachesItsOwnField() {
        // a distinct value per key: a key read into the wrong field, or not read at all, shows
        Map<String, Object> given = new LinkedHashMap<>();
        long n = 10_000;
        for (Map.Entry<String, Object> e : NodeSettings.DEFAULT_VALUES.entrySet()) {
            n += 1000;
            given.put(e.getKey(), e.getValue() instanceof String ? "v-" + e.getKey()
                    : e.getValue() instanceof Integer ? (Object) (int) (n / 1000) : (Object) n);
        }
        // heartbeat and dead time must also make sense together
        given.put("heartbeat.interval.ms", 100L);
        given.put("dead.time.ms", 777L);
        NodeSettings.Parsed c = NodeSettings.parse(given);
        assertThat(c.errors()).isEmpty();
        assertThat(c.settings().values()).isEqualTo(given);
        assertThat(c.settings().clusterNodes()).isEqualTo("v-cluster.nodes");
        assertThat(c.settings().deadTimeMs()).isEqualTo(777);
    }

    @Test
    void numbersMayComeAsNumbersOrAsTextWithSpaces() {
        Map<String, Object> props = Map.of("dead.time.ms", 3000, "public.ok.after", 5L, "fence.delay.ms", " 250 ");
        NodeSettings.Parsed c = NodeSettings.parse(props);
        assertThat(c.errors()).isEmpty();
        assertThat(c.settings().deadTimeMs()).isEqualTo(3000);
        assertThat(c.settings().publicOkAfter()).isEqualTo(5);
        assertThat(c.settings().fenceDelayMs()).isEqualTo(250);
    }

    @Test
    void eachBadNumberIsNamedWithItsKeyAndItsDefaultStandsIn() {
        for (String key : numberKeys()) {
            NodeSettings.Parsed c = NodeSettings.parse(Map.of(key, "12x"));
            assertThat(c.errors()).as(key).hasSize(1);
            assertThat(c.errors().get(0)).as(key).startsWith(key + " = '12x' is not a whole number (the default "
                    + NodeSettings.DEFAULT_VALUES.get(key) + " is used meanwhile)");
            assertThat(c.settings()).as(key).isEqualTo(NodeSettings.DEFAULTS);
        }
    }

    @Test
    void everyBadKeyAtOnceIsNamedOnce() {
        Map<String, Object> props = new TreeMap<>();
        numberKeys().forEach(k -> props.put(k, "bad-" + k));
        NodeSettings.Parsed c = NodeSettings.parse(props);
        assertThat(c.errors()).hasSize(numberKeys().size());
        for (String key : numberKeys()) {
            assertThat(c.errors()).as(key).filteredOn(e -> e.startsWith(key + " = 'bad-" + key + "'")).hasSize(1);
        }
        assertThat(c.problem()).contains("; ");
    }

    @Test
    void aWholeNumberTooLargeForItsKeyIsNamed() {
        NodeSettings.Parsed c = NodeSettings.parse(Map.of("public.lost.after", "99999999999"));
        assertThat(c.problem()).contains("public.lost.after = '99999999999' is not a whole number");
        assertThat(c.settings().publicLostAfter()).isEqualTo(3);
    }

    @Test
    void aBadNumberIsNamedWithItsKeyAndValueAndTheDefaultStandsInAtStart() {
        Map<String, String> props = Map.of("dead.time.ms", "abc", "public.ok.after", "two");
        NodeSettings.Parsed c = NodeSettings.parse(props);
        assertThat(c.problem()).contains("dead.time.ms = 'abc' is not a whole number (the default 600 is used meanwhile)")
                .contains("public.ok.after = 'two' is not a whole number");
        assertThat(c.settings().deadTimeMs()).isEqualTo(600);
        assertThat(c.settings().publicOkAfter()).isEqualTo(2);
    }

    @Test
    void onARunningNodeTheLastGoodValueStays() {
        Map<String, String> good = Map.of("dead.time.ms", "3000", "heartbeat.interval.ms", "200");
        NodeSettings lastGood = NodeSettings.parse(good).settings();
        Map<String, String> bad = Map.of("dead.time.ms", "3s", "heartbeat.interval.ms", "250");
        NodeSettings.Parsed c = NodeSettings.parse(bad, lastGood);
        assertThat(c.problem()).contains("dead.time.ms = '3s'").contains("the last good value 3000");
        assertThat(c.settings().deadTimeMs()).isEqualTo(3000);
        assertThat(c.settings().heartbeatIntervalMs()).isEqualTo(250);
    }

    @Test
    void timingThatCannotWorkIsRefusedAsAPair() {
        Map<String, String> props = Map.of("dead.time.ms", "150", "heartbeat.interval.ms", "100");
        NodeSettings.Parsed c = NodeSettings.parse(props);
        assertThat(c.problem()).contains("heartbeat.interval.ms = 100 and dead.time.ms = 150");
        assertThat(c.settings().deadTimeMs()).isEqualTo(600);
        assertThat(c.settings().heartbeatIntervalMs()).isEqualTo(100);
    }

    @Test
    void aShownValueIsShortAndHasNoControlCharacters() {
        Map<String, String> props = Map.of("dead.time.ms", "\u001b[2J" + "9".repeat(200));
        String p = NodeSettings.parse(props).problem();
        assertThat(p).doesNotContain("\u001b").contains("'?[2J999").contains("...'");
        assertThat(p.length()).isLessThan(200);
    }

    @Test
    void theMetatypeDeclaresTheSameKeysAndDefaults() {
        Map<String, Object> declared = new TreeMap<>();
        for (Method m : NodeConfig.class.getDeclaredMethods()) {
            declared.put(m.getName().replace('_', '.'), m.getDefaultValue());
        }
        assertThat(declared).isEqualTo(new TreeMap<>(NodeSettings.DEFAULT_VALUES));
    }
}
