package org.vigil.plugin.support.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.vigil.api.heartbeat.PathContext;

class PathParametersTest {

    private static final Function<Map<String, String>, PathParameters<String>> PARSER = p -> p.containsKey("bind")
            ? PathParameters.valid(p.get("bind"))
            : PathParameters.invalid(List.of("bind: missing"));

    private final List<String> linkReports = new ArrayList<>();

    private PathContext context(Map<String, String> params) {
        return new PathContext() {
            public String pathName() {
                return "lan";
            }

            public String nodeName() {
                return "node1";
            }

            public Map<String, String> parameters() {
                return params;
            }

            public void frameReceived(byte[] d, int o, int l, String s) {
            }

            public void garbageDiscarded(String reason) {
            }

            public void localLinkState(boolean up, String reason) {
                linkReports.add(up + " " + reason);
            }
        };
    }

    @Test
    void validateListsTheParsersProblemsAndNeverThrows() {
        assertThat(PathParameters.validate(Map.of("bind", "x"), PARSER)).isEmpty();
        assertThat(PathParameters.validate(Map.of(), PARSER)).containsExactly("bind: missing");
        assertThat(PathParameters.validate(Map.of(), p -> {
            throw new IllegalStateException("bug");
        })).containsExactly("parameters could not be checked: java.lang.IllegalStateException: bug");
    }

    @Test
    void requireReturnsTheConfigurationOrReportsThePathDownAndThrows() throws IOException {
        assertThat(PathParameters.require(context(Map.of("bind", "x")), PARSER)).isEqualTo("x");
        assertThat(linkReports).isEmpty();
        assertThatThrownBy(() -> PathParameters.require(context(Map.of()), PARSER))
                .isInstanceOf(IOException.class).hasMessage("invalid parameters: bind: missing");
        assertThat(linkReports).containsExactly("false invalid parameters: bind: missing");
    }

    @Test
    void valueIsStrippedAndBlankMeansAbsent() {
        assertThat(PathParameters.value(Map.of("device", "  /dev/sdb2 "), "device")).isEqualTo("/dev/sdb2");
        assertThat(PathParameters.value(Map.of("device", "   "), "device")).isNull();
        assertThat(PathParameters.value(Map.of(), "device")).isNull();
    }

    @Test
    void numberWithinBoundsOrTheFallbackAndAProblemNamingTheParameter() {
        List<String> problems = new ArrayList<>();
        assertThat(PathParameters.number(Map.of("slots", " 8 "), "slots", 4, 2, 16, problems)).isEqualTo(8);
        assertThat(PathParameters.number(Map.of(), "slots", 4, 2, 16, problems)).isEqualTo(4);
        assertThat(PathParameters.number(Map.of("slots", "2"), "slots", 4, 2, 16, problems)).isEqualTo(2);
        assertThat(PathParameters.number(Map.of("slots", "16"), "slots", 4, 2, 16, problems)).isEqualTo(16);
        assertThat(problems).isEmpty();

        assertThat(PathParameters.number(Map.of("slots", "17"), "slots", 4, 2, 16, problems)).isEqualTo(4);
        assertThat(PathParameters.number(Map.of("slots", "many"), "slots", 4, 2, 16, problems)).isEqualTo(4);
        assertThat(problems).containsExactly("slots: '17' is not a number from 2 to 16",
                "slots: 'many' is not a number from 2 to 16");
    }
}
