package org.vigil.resource.ip.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;

/** Parameter checking: every wrong value is refused with a message that names the parameter. */
class IpConfigTest {

    private final IpResourceType type = new IpResourceType();

    private OperationResult validate(String... pairs) {
        Map<String, String> p = new HashMap<>();
        for (ParameterDescription d : type.describe().parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        for (int i = 0; i < pairs.length; i += 2) {
            p.put(pairs[i], pairs[i + 1]);
        }
        return type.validate(p);
    }

    static Stream<Arguments> wrong() {
        return Stream.of(
                Arguments.of(new String[] {"interface", "eth0"}, "address: required"),
                Arguments.of(new String[] {"address", "192.0.2.10/24"}, "interface: required"),
                Arguments.of(new String[] {"address", "300.1.1.1/24", "interface", "eth0"},
                        "address: '300.1.1.1/24' is not an IPv4 or IPv6 address with a prefix"),
                Arguments.of(new String[] {"address", "192.0.2.10", "interface", "eth0"}, "address: '192.0.2.10' is not"),
                Arguments.of(new String[] {"address", "192.0.2.10/33", "interface", "eth0"}, "address:"),
                Arguments.of(new String[] {"address", "2001:db8::10/129", "interface", "eth0"}, "address:"),
                Arguments.of(new String[] {"address", "web.example.com/24", "interface", "eth0"}, "address:"),
                Arguments.of(new String[] {"address", "192.0.2.0/24", "interface", "eth0"}, "network address"),
                Arguments.of(new String[] {"address", "192.0.2.255/24", "interface", "eth0"}, "broadcast address"),
                Arguments.of(new String[] {"address", "127.0.0.2/8", "interface", "eth0"}, "loopback"),
                Arguments.of(new String[] {"address", "224.0.0.5/24", "interface", "eth0"}, "multicast"),
                Arguments.of(new String[] {"address", "fe80::10/64", "interface", "eth0"}, "link-local"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0:1"}, "interface: 'eth0:1'"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "averyveryverylongname"},
                        "interface:"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "arp-count", "-1"},
                        "arp-count: expected a whole number from 0 to 30, got '-1'"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "arp-count", "many"},
                        "arp-count:"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "soon"},
                        "dad-timeout:"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "60s"},
                        "dad-timeout: at most 10s"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "1.5ms"},
                        "dad-timeout: expected a duration in milliseconds such as 200ms, or in seconds such as 2s,"
                                + " 0.5s or 2 (a number without unit is seconds); 0 skips the check; got '1.5ms'"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "-1s"},
                        "dad-timeout: expected a duration"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "200 msec"},
                        "dad-timeout: expected a duration"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-wait", "a while"},
                        "dad-wait: expected a duration in milliseconds such as 200ms, or in seconds such as 2s,"
                                + " 0.5s or 2 (a number without unit is seconds); 0 fails at once; got 'a while'"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-wait", "1m"},
                        "dad-wait: expected a duration"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dad-wait", "11s"},
                        "dad-wait: at most 10s, got '11s'"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "label", "web"},
                        "label: 'web' must be the interface name followed by ':'"),
                Arguments.of(new String[] {"address", "2001:db8::10/64", "interface", "eth0", "label", "eth0:web"},
                        "label: labels exist for IPv4 addresses only"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "hostname", "web"},
                        "hostname: 'web' is not a fully qualified host name"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "hostname", "we_b.example.com"},
                        "hostname:"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "dns-server", "192.0.2.53"},
                        "dns-server: only used to register a hostname"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "hostname", "web.example.com",
                        "dns-server", "ns1.example.com"}, "dns-server: 'ns1.example.com' is not an IP address"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "hostname", "web.example.com",
                        "dns-key", "keys/web.key"}, "dns-key: expected the absolute path"),
                Arguments.of(new String[] {"address", "192.0.2.10/24", "interface", "eth0", "hostname", "web.example.com",
                        "dns-ttl", "0"}, "dns-ttl:"));
    }

    @ParameterizedTest
    @MethodSource("wrong")
    void wrongValuesAreRefusedNamingTheParameter(String[] parameters, String expected) {
        OperationResult r = validate(parameters);
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).contains(expected);
    }

    @Test
    void validDefinitionsPass() {
        assertThat(validate("address", "192.0.2.10/24", "interface", "eth0").code()).isEqualTo(ResultCode.OK);
        assertThat(validate("address", "192.0.2.10/32", "interface", "bond0.100", "label", "bond0.100:w").code())
                .isEqualTo(ResultCode.OK);
        assertThat(validate("address", "2001:db8::10/64", "interface", "eth0", "arp-count", "0").code())
                .isEqualTo(ResultCode.OK);
        assertThat(validate("address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "0s").code())
                .isEqualTo(ResultCode.OK);
        assertThat(validate("address", "192.0.2.10/24", "interface", "eth0", "hostname", "Web.Example.com.",
                "dns-server", "[2001:db8::53]:5353", "dns-key", "/etc/vigil/web.key", "dns-ttl", "60").code())
                .isEqualTo(ResultCode.OK);
    }

    @Test
    void parsedValuesAreCanonical() {
        IpConfig c = IpConfig.parse(Map.of("address", " 2001:DB8::0010/64 ", "interface", "eth0", "dad-timeout", "1500ms",
                "hostname", "Web.Example.com", "dns-server", "192.0.2.53:5353"));
        assertThat(c.isIpv6()).isTrue();
        assertThat(c.prefix()).isEqualTo(64);
        assertThat(c.dadTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.hostname()).isEqualTo("web.example.com.");
        assertThat(c.dnsServer()).isEqualTo("192.0.2.53");
        assertThat(c.dnsPort()).isEqualTo(5353);
        assertThat(c.arpCount()).isEqualTo(3);
        assertThat(c.host()).isEqualTo("2001:db8::10");
        assertThat(c.cidr()).isEqualTo("2001:db8::10/64");
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                // Forms valid before milliseconds were introduced keep their meaning: a bare number is seconds.
                Arguments.of("1", Duration.ofSeconds(1)),
                Arguments.of("1s", Duration.ofSeconds(1)),
                Arguments.of(" 2 S ", Duration.ofSeconds(2)),
                Arguments.of("1500ms", Duration.ofMillis(1500)),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("10s", Duration.ofSeconds(10)),
                // New: milliseconds below a second, decimal seconds.
                Arguments.of("200ms", Duration.ofMillis(200)),
                Arguments.of("500MS", Duration.ofMillis(500)),
                Arguments.of("0.25s", Duration.ofMillis(250)),
                Arguments.of("0.5", Duration.ofMillis(500)),
                Arguments.of("1.125", Duration.ofMillis(1125)));
    }

    @ParameterizedTest
    @MethodSource("durations")
    void dadTimeoutAndDadWaitTakeMillisecondsAndTheirOldSecondForms(String text, Duration expected) {
        IpConfig c = IpConfig.parse(Map.of("address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", text,
                "dad-wait", text));
        assertThat(c.dadTimeout()).isEqualTo(expected);
        assertThat(c.dadWait()).isEqualTo(expected);
    }

    @Test
    void theDefaultsAreAShortListenAndATwoSecondHoldOff() {
        IpConfig c = IpConfig.parse(defaults());
        assertThat(c.dadTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.dadWait()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aListenShorterThanArpingCanSendInIsRaisedTo50ms() {
        IpConfig c = IpConfig.parse(Map.of("address", "192.0.2.10/24", "interface", "eth0", "dad-timeout", "10ms"));
        assertThat(c.dadTimeout()).isEqualTo(Duration.ofMillis(50));
    }

    private Map<String, String> defaults() {
        Map<String, String> p = new HashMap<>();
        for (ParameterDescription d : type.describe().parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        p.put("address", "192.0.2.10/24");
        p.put("interface", "eth0");
        return p;
    }

    @Test
    void ipv6AddressesAreWrittenTheRfc5952Way() {
        assertThat(IpConfig.canonical(IpConfig.parseAddress("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpConfig.canonical(IpConfig.parseAddress("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(IpConfig.canonical(IpConfig.parseAddress("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2:3:4:5:6");
        assertThat(IpConfig.canonical(IpConfig.parseAddress("2001:db8::"))).isEqualTo("2001:db8::");
        assertThat(IpConfig.canonical(IpConfig.parseAddress("::ffff:1"))).isEqualTo("::ffff:1");
        assertThat(IpConfig.canonical(IpConfig.parseAddress("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
    }
}
