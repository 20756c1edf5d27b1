package org.vigil.resource.sql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;

/** validate(): every wrong value is refused with a message that starts with the parameter's name. */
class SqlParametersTest {

    private static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("data-directory", "/srv/db/pgdata");
        p.put("address", "192.0.2.10");
        p.put("monitor-user", "vigil_monitor");
        p.put("monitor-password-file", "/etc/vigil/db-monitor.password");
        return p;
    }

    private static OperationResult pg(Map<String, String> p) {
        return new PostgresqlResourceType().validate(p);
    }

    private static OperationResult maria(Map<String, String> p) {
        return new MariadbResourceType().validate(p);
    }

    @Test
    void theDocumentedExampleValidatesForBothEngines() {
        assertThat(pg(valid()).code()).isEqualTo(ResultCode.OK);
        assertThat(maria(valid()).code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void severalLiteralAddressesOfBothFamiliesAreAccepted() {
        Map<String, String> p = valid();
        p.put("address", "192.0.2.10, 2001:db8::10");
        SqlConfig c = SqlConfig.parse(SqlConfig.Kind.POSTGRESQL, p);
        assertThat(c.addressList()).isEqualTo("192.0.2.10,2001:db8:0:0:0:0:0:10");
        assertThat(c.port()).isEqualTo(5432);
        assertThat(SqlConfig.parse(SqlConfig.Kind.MARIADB, p).port()).isEqualTo(3306);
    }

    @ParameterizedTest(name = "{0}={1} refused")
    @CsvSource(delimiter = '|', value = {
        "data-directory|",
        "data-directory|srv/db/pgdata",
        "data-directory|/srv/db/pg,data",
        "address|",
        "address|0.0.0.0",
        "address|::",
        "address|db.example.com",
        "address|192.0.2.300",
        "address|192.0.2.010",
        "address|192.0.2.10,192.0.2.10",
        "address|224.0.0.1",
        "port|0",
        "port|65536",
        "port|fivefour",
        "monitor-user|",
        "monitor-user|bob'; --",
        "monitor-password-file|",
        "monitor-password-file|db.password",
        "socket-directory|run/db",
        "monitor-database|no such db",
        "bin-directory|usr/lib/postgresql/15/bin",
    })
    void aWrongValueIsRefusedNamingItsParameter(String name, String value) {
        Map<String, String> p = valid();
        p.put(name, value == null ? "" : value);
        OperationResult r = pg(p);
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(name + ":");
    }

    @ParameterizedTest(name = "mariadb {0}={1} refused")
    @CsvSource(delimiter = '|', value = {
        "user|no-such-user-here",
        "user|root",
        "user|Bad User",
        "mariadbd|bin/mariadbd",
        "config-file|my.cnf",
        "address|0.0.0.0",
    })
    void mariadbSpecificValuesAreRefusedNamingTheParameter(String name, String value) {
        Map<String, String> p = valid();
        p.put(name, value);
        OperationResult r = maria(p);
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(name + ":");
    }
}
