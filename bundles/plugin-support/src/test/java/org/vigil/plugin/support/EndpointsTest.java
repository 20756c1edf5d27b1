package org.vigil.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointsTest {

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.10:5405", "0.0.0.0:1", "255.255.255.255:65535", "[2001:db8::10]:5405",
            "[::]:5405"})
    void parsesLiteralEndpointsAndFormatsThemBack(String text) {
        List<String> problems = new ArrayList<>();
        InetSocketAddress endpoint = Endpoints.endpoint("bind", text, problems);
        assertThat(problems).isEmpty();
        assertThat(endpoint).isNotNull();
        assertThat(endpoint.isUnresolved()).isFalse();
        assertThat(Endpoints.endpoint("bind", Endpoints.format(endpoint), problems)).isEqualTo(endpoint);
        assertThat(problems).isEmpty();
    }

    static Stream<Arguments> badEndpoints() {
        return Stream.of(
                Arguments.of("node1:5405", "bind: 'node1:5405' is not address:port (expected an IPv4 address or an "
                        + "[IPv6] address in brackets, then :port from 1 to 65535; host names are not accepted)"),
                Arguments.of("192.0.2.10", "bind: '192.0.2.10' is not address:port"),
                Arguments.of("192.0.2.300:5405", "bind: '192.0.2.300:5405' is not address:port"),
                Arguments.of("192.0.2.010:5405", "bind: '192.0.2.010:5405' is not address:port"),
                Arguments.of("2001:db8::1:5405", "bind: '2001:db8::1:5405' is not address:port"),
                Arguments.of("[2001:db8::zz]:5405", "bind: '[2001:db8::zz]:5405' is not address:port"),
                Arguments.of("[abc]:5405", "bind: '[abc]:5405' is not address:port"),
                Arguments.of("192.0.2.10:0", "bind: '192.0.2.10:0' has port 0; the port must be from 1 to 65535"),
                Arguments.of("192.0.2.10:65536", "bind: '192.0.2.10:65536' has port 65536"),
                Arguments.of("[::ffff:192.0.2.1]:5405",
                        "bind: '[::ffff:192.0.2.1]:5405' is an IPv4-mapped address; write it as a.b.c.d:port"));
    }

    @ParameterizedTest
    @MethodSource("badEndpoints")
    void refusesWithOneProblemNamingParameterAndValue(String text, String expected) {
        List<String> problems = new ArrayList<>();
        assertThat(Endpoints.endpoint("bind", text, problems)).isNull();
        assertThat(problems).singleElement().asString().startsWith(expected);
    }

    @Test
    void comparesAndNamesFamilies() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1);
        InetSocketAddress v4b = new InetSocketAddress(InetAddress.getByName("192.0.2.2"), 2);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1);
        assertThat(Endpoints.sameFamily(v4, v4b)).isTrue();
        assertThat(Endpoints.sameFamily(v4, v6)).isFalse();
        assertThat(Endpoints.family(v4)).isEqualTo("IPv4");
        assertThat(Endpoints.family(v6)).isEqualTo("IPv6");
    }

    @Test
    void formatsWithoutLookingUpNames() throws Exception {
        assertThat(Endpoints.format(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 5405)))
                .isEqualTo("192.0.2.1:5405");
        assertThat(Endpoints.format(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 5405)))
                .isEqualTo("[2001:db8:0:0:0:0:0:1]:5405");
        assertThat(Endpoints.format(InetSocketAddress.createUnresolved("node1", 5405))).isEqualTo("node1:5405");
    }
}
