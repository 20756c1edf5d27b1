package org.vigil.heartbeat.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.api.ParameterDescription;

class UdpTransportFactoryValidationTest {

    private final UdpTransportFactory factory = new UdpTransportFactory();

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("ttl", "1"); // the core fills in defaults
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void describesTypeAndParameters() {
        var d = factory.describe();
        assertThat(d.type()).isEqualTo("udp");
        assertThat(d.parameters()).extracting(ParameterDescription::name)
                .containsExactly("bind", "peers", "multicast-group", "interface", "ttl");
        assertThat(d.parameters().get(0).required()).isTrue();
        assertThat(d.parameters().get(4).defaultValue()).isEqualTo("1");
        assertThat(d.parameters()).allSatisfy(p -> assertThat(p.description()).hasSizeGreaterThan(40));
    }

    static Stream<Map<String, String>> validConfigurations() {
        return Stream.of(
                params("bind", "192.0.2.10:5405", "peers", "192.0.2.11:5405"),
                params("bind", "192.0.2.10:5405", "peers", " 192.0.2.11:5405 , 192.0.2.12:5406 "),
                params("bind", "0.0.0.0:5405", "peers", "192.0.2.11:5405"),
                params("bind", "[2001:db8::10]:5405", "peers", "[2001:db8::11]:5405,[2001:db8::12]:5405"),
                params("bind", "192.0.2.10:5405", "multicast-group", "239.192.0.1:5405"),
                params("bind", "192.0.2.10:5405", "multicast-group", "239.192.0.1:5405", "interface", "eth1",
                        "ttl", "0"),
                params("bind", "0.0.0.0:5405", "multicast-group", "239.192.0.1:5406", "interface", "eth1"),
                params("bind", "192.0.2.10:5405", "peers", "192.0.2.11:5405", "multicast-group", "239.192.0.1:5405",
                        "interface", ""),
                params("bind", "[2001:db8::10]:5405", "multicast-group", "[ff15::1]:5405"));
    }

    @ParameterizedTest
    @MethodSource("validConfigurations")
    void acceptsValidConfigurations(Map<String, String> p) {
        assertThat(factory.validate(p)).isEmpty();
    }

    static Stream<Arguments> invalidConfigurations() {
        String ok = "192.0.2.10:5405";
        String peer = "192.0.2.11:5405";
        return Stream.of(
                Arguments.of(params("peers", peer), "bind: required"),
                Arguments.of(params("bind", "  ", "peers", peer), "bind: required"),
                Arguments.of(params("bind", "node1:5405", "peers", peer), "bind: 'node1:5405' is not address:port"),
                Arguments.of(params("bind", "192.0.2.10", "peers", peer), "bind: '192.0.2.10' is not address:port"),
                Arguments.of(params("bind", "192.0.2.300:5405", "peers", peer), "bind: '192.0.2.300:5405' is not address:port"),
                Arguments.of(params("bind", "192.0.2.010:5405", "peers", peer), "bind: '192.0.2.010:5405' is not address:port"),
                Arguments.of(params("bind", "2001:db8::1:5405", "peers", peer), "bind: '2001:db8::1:5405' is not address:port"),
                Arguments.of(params("bind", "[2001:db8::zz]:5405", "peers", peer), "bind: '[2001:db8::zz]:5405' is not address:port"),
                Arguments.of(params("bind", "[abc]:5405", "peers", peer), "bind: '[abc]:5405' is not address:port"),
                Arguments.of(params("bind", "192.0.2.10:0", "peers", peer), "bind: '192.0.2.10:0' has port 0"),
                Arguments.of(params("bind", "192.0.2.10:65536", "peers", peer), "bind: '192.0.2.10:65536' has port 65536"),
                Arguments.of(params("bind", "239.1.1.1:5405", "peers", peer), "bind: '239.1.1.1:5405' is a multicast address"),
                Arguments.of(params("bind", "[::ffff:192.0.2.1]:5405", "peers", peer), "bind: '[::ffff:192.0.2.1]:5405' is an IPv4-mapped address"),
                Arguments.of(params("bind", ok), "peers: required unless multicast-group is set"),
                Arguments.of(params("bind", ok, "peers", "x:y"), "peers: 'x:y' is not address:port"),
                Arguments.of(params("bind", ok, "peers", peer + ",,192.0.2.12:5405"), "peers: '" + peer + ",,192.0.2.12:5405' has an empty entry"),
                Arguments.of(params("bind", ok, "peers", peer + "," + peer), "peers: '" + peer + "' is listed more than once"),
                Arguments.of(params("bind", ok, "peers", ok), "peers: '" + ok + "' is this node's own bind address"),
                Arguments.of(params("bind", ok, "peers", "0.0.0.0:5405"), "peers: '0.0.0.0:5405' is not a unicast address"),
                Arguments.of(params("bind", ok, "peers", "239.1.1.1:5405"), "peers: '239.1.1.1:5405' is not a unicast address"),
                Arguments.of(params("bind", ok, "peers", "[2001:db8::11]:5405"), "peers: '[2001:db8::11]:5405' is IPv6 but bind"),
                Arguments.of(params("bind", ok, "multicast-group", "192.0.2.20:5405"), "multicast-group: '192.0.2.20:5405' is not a multicast address"),
                Arguments.of(params("bind", ok, "multicast-group", "239.1.1.1"), "multicast-group: '239.1.1.1' is not address:port"),
                Arguments.of(params("bind", ok, "multicast-group", "[ff15::1]:5405"), "multicast-group: '[ff15::1]:5405' is IPv6 but bind"),
                Arguments.of(params("bind", "0.0.0.0:5405", "multicast-group", "239.1.1.1:5405", "interface", "eth1"),
                        "multicast-group: '239.1.1.1:5405' uses the same port as bind"),
                Arguments.of(params("bind", "0.0.0.0:5405", "multicast-group", "239.1.1.1:5406"), "interface: required when multicast-group is set"),
                Arguments.of(params("bind", ok, "peers", peer, "interface", "eth1"), "interface: 'eth1' is set but multicast-group is not"),
                Arguments.of(params("bind", ok, "multicast-group", "239.1.1.1:5405", "interface", "eth 1"), "interface: 'eth 1' is not a network interface name"),
                Arguments.of(params("bind", ok, "peers", peer, "ttl", "abc"), "ttl: 'abc' is not a number from 0 to 255"),
                Arguments.of(params("bind", ok, "peers", peer, "ttl", "256"), "ttl: '256' is not a number from 0 to 255"),
                Arguments.of(params("bind", ok, "peers", peer, "ttl", "-1"), "ttl: '-1' is not a number from 0 to 255"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigurations")
    void rejectsEachBadParameterNamingIt(Map<String, String> p, String expected) {
        List<String> problems = factory.validate(p);
        assertThat(problems).singleElement().asString().startsWith(expected);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        List<String> problems = factory.validate(params("bind", "x", "peers", "y:1,192.0.2.1:99999", "ttl", "many"));
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).startsWith("bind: 'x'");
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("peers: 'y:1'"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("peers: '192.0.2.1:99999'"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("ttl: 'many'"));
    }

    @Test
    void neverThrows() {
        assertThat(factory.validate(null)).isNotEmpty();
        Map<String, String> withNulls = new HashMap<>();
        withNulls.put("bind", null);
        withNulls.put("peers", null);
        assertThat(factory.validate(withNulls)).isNotEmpty();
        assertThat(factory.validate(Map.of())).contains("bind: required (address:port to listen on, for example 192.0.2.10:5405)");
    }
}
