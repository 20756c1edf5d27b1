package org.vigil.resource.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;
import org.vigil.api.resource.ResourceTypeDescription;

class ProcessResourceTypeTest {

    private final ProcessResourceType type = new ProcessResourceType();

    private OperationResult validate(String... keyValues) {
        Map<String, String> p = new HashMap<>();
        for (ParameterDescription d : type.describe().parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        p.put("command", "exec sleep 300");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        return type.validate(p);
    }

    @Test
    void describesItself() {
        ResourceTypeDescription d = type.describe();
        assertThat(d.type()).isEqualTo("process");
        assertThat(d.parameters()).extracting(ParameterDescription::name).containsExactly("command",
                "stop-command", "stop-signal", "working-directory", "environment", "log-file", "check-tcp",
                "check-http", "check-timeout");
        assertThat(d.parameter("command").orElseThrow().required()).isTrue();
        assertThat(d.parameter("stop-signal").orElseThrow().defaultValue()).isEqualTo("TERM");
        assertThat(d.parameter("log-file").orElseThrow().defaultValue()).isEqualTo("output.log");
        assertThat(d.parameter("check-timeout").orElseThrow().defaultValue()).isEqualTo("2s");
        assertThat(d.parameters()).allSatisfy(p -> assertThat(p.description()).hasSizeGreaterThan(40));
        assertThat(d.startTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(d.stopTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(d.monitorTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.monitorInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void acceptsAFullDefinition() {
        assertThat(validate("stop-command", "kill $VIGIL_PID", "stop-signal", "sigint", "working-directory", "/tmp",
                "environment", " A=1; B=x=y ;", "log-file", "/dev/null", "check-tcp", "[::1]:8080", "check-http",
                "https://localhost:8443/health?x=1", "check-timeout", "500ms").isOk()).isTrue();
        assertThat(validate("check-tcp", "db.example.org:5432", "check-timeout", "PT1S").isOk()).isTrue();
        assertThat(ProcessConfig.parseEnvironment(" A=1; B=x=y ;")).containsExactly(Map.entry("A", "1"),
                Map.entry("B", "x=y"));
    }

    @Test
    void theCheckTcpMessageQuotesTheValue() {
        OperationResult r = validate("check-tcp", "x");
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).isEqualTo("check-tcp: expected host:port, got 'x'");
    }

    @Test
    void commandIsRequired() {
        Map<String, String> p = new HashMap<>();
        p.put("command", "  ");
        OperationResult r = type.validate(p);
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith("command: ");
        assertThat(type.validate(Map.of()).message()).startsWith("command: ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "check-tcp         | localhost",
        "check-tcp         | localhost:0",
        "check-tcp         | localhost:65536",
        "check-tcp         | :80",
        "check-tcp         | ::1:80",
        "check-http        | ftp://host/x",
        "check-http        | localhost:8080/health",
        "check-http        | http://",
        "check-http        | http://bad host/",
        "check-timeout     | fast",
        "check-timeout     | 0s",
        "check-timeout     | -PT1S",
        "stop-signal       | STOP",
        "stop-signal       | 9",
        "environment       | A=1;B",
        "environment       | 1A=2",
        "environment       | A=1;A=2",
        "environment       | VIGIL_NODE=x",
        "working-directory | relative/dir",
        "log-file          | bad\u0000name",
    })
    void namesTheWrongParameter(String parameter, String value) {
        OperationResult r = validate(parameter, value);
        assertThat(r.code()).as(r.toString()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(parameter + ": ");
    }
}
