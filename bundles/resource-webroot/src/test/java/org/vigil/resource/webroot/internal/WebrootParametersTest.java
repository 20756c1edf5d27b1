package org.vigil.resource.webroot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;

/** Every wrong parameter is refused with NOT_CONFIGURED naming it; the generated configuration is as meant. */
class WebrootParametersTest {

    private final WebrootResourceType type = new WebrootResourceType();

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "root|srv/www",
        "root|/srv/$host",
        "root|'/srv/\"x'",
        "listen|192.0.2.10",
        "listen|www.example.org:80",
        "listen|0.0.0.0:80",
        "listen|[::]:80",
        "listen|192.0.2.300:80",
        "listen|192.0.2.10:0",
        "listen|192.0.2.10:70000",
        "listen|224.0.0.1:80",
        "index|../secret",
        "nginx|bin/nginx",
        "nginx|nginx -g x",
        "user|Robert'); DROP",
        "access-log|/var/log/$x",
    })
    void aWrongParameterIsNamed(String name, String value) {
        Map<String, String> p = withDefaults(Map.of("root", "/srv/www", "listen", "192.0.2.10:80"));
        p.put(name, value);
        OperationResult r = type.validate(p);
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(name + ": ");
    }

    @Test
    void missingRequiredParametersAreNamed() {
        assertThat(type.validate(withDefaults(Map.of("listen", "192.0.2.10:80"))).message()).startsWith("root: ");
        assertThat(type.validate(withDefaults(Map.of("root", "/srv/www"))).message()).startsWith("listen: ");
    }

    @Test
    void theGeneratedConfigurationListensOnTheAddressOnlyAndKeepsItsFilesInTheStateDirectory() {
        WebrootConfig c = WebrootConfig.parse(withDefaults(Map.of("root", "/srv/shared/www root", "listen",
                "[2001:db8::10]:8080", "index", "index.html index.htm", "access-log", "access.log")));
        String conf = NginxConf.render(c, "web", Path.of("/opt/vigil/data/web/nginx"), true);

        assertThat(conf).contains("listen [2001:db8:0:0:0:0:0:10]:8080;").doesNotContain("listen 80")
                .contains("root \"/srv/shared/www root\";").contains("index index.html index.htm;")
                .contains("daemon off;").contains("user www-data;")
                .contains("pid \"/opt/vigil/data/web/nginx/nginx.pid\";")
                .contains("access_log \"/opt/vigil/data/web/access.log\";")
                .contains("client_body_temp_path \"/opt/vigil/data/web/nginx/temp-client_body\";")
                .doesNotContain("include");
        assertThat(conf.lines().filter(l -> l.strip().startsWith("listen"))).hasSize(1);
        assertThat(NginxConf.render(c, "web", Path.of("/x"), false)).doesNotContain("user ");
    }

    private Map<String, String> withDefaults(Map<String, String> given) {
        Map<String, String> p = new HashMap<>();
        for (ParameterDescription d : type.describe().parameters()) {
            if (d.defaultValue() != null) {
                p.put(d.name(), d.defaultValue());
            }
        }
        p.putAll(given);
        return p;
    }
}
