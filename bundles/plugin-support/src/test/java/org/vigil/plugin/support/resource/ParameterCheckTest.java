package org.vigil.plugin.support.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationResult;

class ParameterCheckTest {

    private static Object parse(Map<String, String> parameters) {
        if (!parameters.containsKey("root")) {
            throw new InvalidParameterException("root", "required");
        }
        if (parameters.containsKey("bug")) {
            throw new IllegalStateException("a bug, not a wrong value");
        }
        return parameters.get("root");
    }

    @Test
    void acceptedParametersAreOk() {
        assertThat(ParameterCheck.validate(Map.of("root", "/srv/www"), ParameterCheckTest::parse))
                .isEqualTo(OperationResult.ok());
    }

    @Test
    void theParsersMessageNamingTheParameterIsTheNotConfiguredResult() {
        assertThat(ParameterCheck.validate(Map.of(), ParameterCheckTest::parse))
                .isEqualTo(OperationResult.notConfigured("root: required"));
    }

    @Test
    void anyOtherFailureIsNotMistakenForAWrongValue() {
        assertThatThrownBy(() -> ParameterCheck.validate(Map.of("root", "/", "bug", ""), ParameterCheckTest::parse))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parseKeepsTheConfigurationOrTheMessageNamingTheParameter() {
        ParameterCheck.Parsed<String> ok = ParameterCheck.parse(java.util.Map.of("a", "1"), m -> m.get("a"));
        org.assertj.core.api.Assertions.assertThat(ok.config()).isEqualTo("1");
        org.assertj.core.api.Assertions.assertThat(ok.error()).isNull();
        ParameterCheck.Parsed<String> bad = ParameterCheck.parse(java.util.Map.of(), m -> {
            throw new InvalidParameterException("a", "required");
        });
        org.assertj.core.api.Assertions.assertThat(bad.config()).isNull();
        org.assertj.core.api.Assertions.assertThat(bad.error()).isEqualTo("a: required");
    }
}
