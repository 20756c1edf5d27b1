package org.vigil.heartbeat.tcp.internal;

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
import org.vigil.plugin.support.Endpoints;

class TcpConfigTest {

    private final TcpTransportFactory factory = new TcpTransportFactory();

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void describesTypeAndParameters() {
        var d = factory.describe();
        assertThat(d.type()).isEqualTo("tcp");
        assertThat(d.parameters()).extracting(ParameterDescription::name).containsExactly("bind", "peers");
        assertThat(d.parameters()).allSatisfy(p -> assertThat(p.required()).isTrue());
    }

    @Test
    void acceptsValidConfigurations() {
        assertThat(factory.validate(params("bind", "192.0.2.10:5406", "peers", "192.0.2.11:5406"))).isEmpty();
        assertThat(factory.validate(params("bind", "0.0.0.0:5406", "peers", " 192.0.2.11:5406 , 192.0.2.12:5407 "))).isEmpty();
        assertThat(factory.validate(params("bind", "[2001:db8::10]:5406", "peers", "[2001:db8::11]:5406"))).isEmpty();
        var parsed = TcpConfig.parse(params("bind", "192.0.2.10:5406", "peers", "192.0.2.12:1,192.0.2.11:2"));
        assertThat(parsed.config().peers()).extracting(Endpoints::format).containsExactly("192.0.2.12:1", "192.0.2.11:2");
    }

    static Stream<Arguments> invalid() {
        String ok = "192.0.2.10:5406";
        String peer = "192.0.2.11:5406";
        return Stream.of(
                Arguments.of(params("peers", peer), "bind: required"),
                Arguments.of(params("bind", "node1:5406", "peers", peer), "bind: 'node1:5406' is not address:port"),
                Arguments.of(params("bind", "192.0.2.10:0", "peers", peer), "bind: '192.0.2.10:0' has port 0"),
                Arguments.of(params("bind", "239.1.1.1:5406", "peers", peer), "bind: '239.1.1.1:5406' is a multicast address"),
                Arguments.of(params("bind", ok), "peers: required"),
                Arguments.of(params("bind", ok, "peers", "  "), "peers: required"),
                Arguments.of(params("bind", ok, "peers", peer + ",,192.0.2.12:1"), "peers: '" + peer + ",,192.0.2.12:1' has an empty entry"),
                Arguments.of(params("bind", ok, "peers", peer + "," + peer), "peers: '" + peer + "' is listed more than once"),
                Arguments.of(params("bind", ok, "peers", ok), "peers: '" + ok + "' is this node's own bind address"),
                Arguments.of(params("bind", ok, "peers", "0.0.0.0:1"), "peers: '0.0.0.0:1' is not a unicast address"),
                Arguments.of(params("bind", ok, "peers", "[2001:db8::11]:1"), "peers: '[2001:db8::11]:1' is IPv6 but bind"),
                Arguments.of(params("bind", ok, "peers", "peer.example:1"), "peers: 'peer.example:1' is not address:port"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsEachBadParameterNamingIt(Map<String, String> p, String expected) {
        List<String> problems = factory.validate(p);
        assertThat(problems).singleElement().asString().startsWith(expected);
    }

    @Test
    void neverThrows() {
        assertThat(factory.validate(null)).hasSize(2);
        Map<String, String> withNulls = new HashMap<>();
        withNulls.put("bind", null);
        assertThat(factory.validate(withNulls)).hasSize(2);
    }
}
