package org.vigil.resource.spooler.internal;

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
class SpoolerParametersTest {

    private final SpoolerResourceType type = new SpoolerResourceType();

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "spool-directory|srv/cups",
        "spool-directory|/",
        "spool-directory|/srv/office cups",
        "spool-directory|'/srv/\"x'",
        "spool-directory|/srv/#x",
        "listen|192.0.2.10",
        "listen|print.example.org:631",
        "listen|0.0.0.0:631",
        "listen|[::]:631",
        "listen|192.0.2.300:631",
        "listen|192.0.2.10:0",
        "listen|192.0.2.10:70000",
        "listen|224.0.0.1:631",
        "allow|all",
        "allow|192.0.2.0/33",
        "allow|192.0.2.0/24 printers.example.org",
        "allow|2001:db8::/129",
        "allow|300.0.2.0/24",
        "allow|','",
        "cupsd|sbin/cupsd",
        "cupsd|cupsd -C x",
        "log-level|verbose",
        "host-names|print_server",
        "host-names|192.0.2.10",
        "host-names|print.example.com bad..name",
    })
    void aWrongParameterIsNamed(String name, String value) {
        Map<String, String> p = withDefaults(Map.of("spool-directory", "/srv/office/cups", "listen", "192.0.2.10:631"));
        p.put(name, value);
        OperationResult r = type.validate(p);
        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(name + ": ");
    }

    @Test
    void missingRequiredParametersAreNamed() {
        assertThat(type.validate(withDefaults(Map.of("listen", "192.0.2.10:631"))).message())
                .startsWith("spool-directory: ");
        assertThat(type.validate(withDefaults(Map.of("spool-directory", "/srv/cups"))).message()).startsWith("listen: ");
    }

    @Test
    void goodParametersValidate() {
        assertThat(type.validate(withDefaults(Map.of("spool-directory", "/srv/office/cups", "listen",
                "[2001:db8::10]:631", "allow", "192.0.2.0/24, 2001:db8::/64 198.51.100.7,@local", "log-level", "INFO")))
                .code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void theConfigurationListensOnTheAddressAndTheSocketOnlyAndKeepsJobsOnTheSharedDisk() {
        SpoolerConfig c = SpoolerConfig.parse(withDefaults(Map.of("spool-directory", "/srv/office/cups/", "listen",
                "192.0.2.10:631", "allow", "198.51.100.0/24,2001:db8::/64")));
        SpoolLayout layout = new SpoolLayout(c.spoolDirectory(), Path.of("/opt/vigil/data/vigil/resources/printers"));
        String conf = CupsConf.cupsdConf(c, "printers", layout);
        String files = CupsConf.cupsFilesConf(layout, "printers");

        assertThat(conf.lines().filter(l -> l.startsWith("Listen"))).containsExactly("Listen 192.0.2.10:631",
                "Listen /opt/vigil/data/vigil/resources/printers/cupsd/cups.sock");
        assertThat(conf).contains("Browsing No\n").contains("BrowseLocalProtocols none\n").contains("WebInterface No\n")
                .contains("DirtyCleanInterval 0\n").doesNotContain("Port ").doesNotContain("Include")
                .contains("  Allow from 198.51.100.0/24\n  Allow from [2001:db8:0:0:0:0:0:0]/64\n")
                .contains("  Allow from 192.0.2.10/32\n").doesNotContain("@LOCAL");
        assertThat(files).contains("ServerRoot /srv/office/cups/etc\n").contains("RequestRoot /srv/office/cups/spool\n")
                .contains("CacheDir /opt/vigil/data/vigil/resources/printers/cupsd/cache\n")
                .contains("StateDir /opt/vigil/data/vigil/resources/printers/cupsd/run\n")
                .contains("SyncOnClose Yes\n").contains("FileDevice No\n")
                .contains("Printcap /opt/vigil/data/vigil/resources/printers/cupsd/printcap\n");
        assertThat(conf).doesNotContain("ServerAlias");
        assertThat(SpoolerConfig.parse(withDefaults(Map.of("spool-directory", "/srv/cups", "listen", "192.0.2.10:631")))
                .allow()).containsExactly("@LOCAL");
        SpoolerConfig named = SpoolerConfig.parse(withDefaults(Map.of("spool-directory", "/srv/cups", "listen",
                "192.0.2.10:631", "host-names", "Print.Example.com, print")));
        assertThat(CupsConf.cupsdConf(named, "printers", layout)).contains("ServerAlias print.example.com print\n");
    }

    @Test
    void aStateDirectoryTooLongForASocketGetsAShortSocketPath() {
        Path deep = Path.of("/opt/" + "very-long-directory-name/".repeat(5) + "printers");
        Path socket = new SpoolLayout(Path.of("/srv/cups"), deep).adminSocket();
        assertThat(socket.getParent()).isEqualTo(SpoolLayout.SHORT_SOCKET_DIR);
        assertThat(socket.toString().length()).isLessThanOrEqualTo(SpoolLayout.MAX_SOCKET_PATH);
        assertThat(new SpoolLayout(Path.of("/srv/cups"), deep).adminSocket()).isEqualTo(socket);
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
