package org.vigil.resource.fileshare.internal;

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

/** Every wrong parameter is refused with NOT_CONFIGURED naming it; the generated smb.conf is as meant. */
class FileshareParametersTest {

    private final FileshareResourceType type = new FileshareResourceType();

    private static final Map<String, String> GOOD = Map.of("path", "/srv/office/share", "listen", "192.0.2.10:445",
            "share", "office", "passdb", "/srv/office/samba/passdb.tdb");

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "path|srv/share",
        "path|/srv/%U",
        "path|'/srv/a\"b'",
        "listen|192.0.2.10",
        "listen|files.example.org:445",
        "listen|0.0.0.0:445",
        "listen|[::]:445",
        "listen|192.0.2.300:445",
        "listen|192.0.2.10:0",
        "listen|192.0.2.10:70000",
        "listen|224.0.0.1:445",
        "share|''",
        "share|'a b'",
        "share|../x",
        "share|global",
        "share|IPC$",
        "passdb|passdb.tdb",
        "passdb|/srv/office/share/passdb.tdb",
        "passdb|/srv/%m/passdb.tdb",
        "valid-users|'alice; rm -rf'",
        "valid-users|'alice %U'",
        "read-only|yes",
        "guest-ok|1",
        "guest-account|'Nobody Else'",
        "smbd|sbin/smbd",
        "smbd|'smbd -s /etc/samba/smb.conf'",
    })
    void aWrongParameterIsNamed(String name, String value) {
        Map<String, String> p = withDefaults(GOOD);
        p.put(name, value);
        if (name.equals("share") && value.isEmpty()) {
            p.remove(name);
        }
        OperationResult r = type.validate(p);
        assertThat(r.code()).as(r.message()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(name + ": ");
    }

    @Test
    void requiredParametersAreNamed() {
        for (String name : new String[] {"path", "listen", "share", "passdb"}) {
            Map<String, String> p = withDefaults(GOOD);
            p.remove(name);
            assertThat(type.validate(p).message()).as("without %s", name).startsWith(name + ": ");
        }
        Map<String, String> guests = withDefaults(GOOD);
        guests.remove("passdb");
        guests.put("guest-ok", "true");
        assertThat(type.validate(guests).code()).as("guest-only share without accounts").isEqualTo(ResultCode.OK);
    }

    @Test
    void theGeneratedConfigurationServesTheAddressOnlyAndKeepsTheNodesFilesInTheStateDirectory() {
        Map<String, String> p = withDefaults(GOOD);
        p.put("listen", "[2001:db8::10]:10445");
        p.put("valid-users", "alice, bob @accounting");
        FileshareConfig c = FileshareConfig.parse(p);
        Path dir = Path.of("/opt/vigil/data/files/samba");
        String conf = SmbConf.render(c, "files", dir, SmbConf.socketDirectory(dir), dir.resolve("log.smbd"));

        assertThat(conf).contains("interfaces = 2001:db8:0:0:0:0:0:10\n").contains("bind interfaces only = yes\n")
                .contains("smb ports = 10445\n").contains("disable netbios = yes\n")
                .contains("passdb backend = tdbsam:/srv/office/samba/passdb.tdb\n")
                .contains("private dir = /opt/vigil/data/files/samba/private\n")
                .contains("lock directory = /opt/vigil/data/files/samba/lock\n")
                .contains("state directory = /opt/vigil/data/files/samba/state\n")
                .contains("cache directory = /opt/vigil/data/files/samba/cache\n")
                .contains("pid directory = /opt/vigil/data/files/samba/run\n")
                .contains("[office]\n").contains("path = /srv/office/share\n").contains("read only = no\n")
                .contains("guest ok = no\n").contains("map to guest = never\n")
                .contains("valid users = alice bob @accounting\n")
                .doesNotContain("include").doesNotContain("/etc/samba").doesNotContain("/var/lib/samba");
        assertThat(conf.lines().filter(l -> l.strip().startsWith("interfaces"))).hasSize(1);
        assertThat(conf.lines().filter(l -> l.startsWith("["))).containsExactly("[global]", "[office]");
    }

    @Test
    void smbdsSocketsMoveToRunWhenTheStateDirectoryIsTooLongForASocketAddress() {
        Path shortDir = Path.of("/opt/vigil/data/vigil/resources/files/samba");
        assertThat(SmbConf.socketDirectory(shortDir)).isEqualTo(shortDir);
        Path longDir = Path.of("/work/checkouts/vigil/tests/system/target/labs/netns-fileshare/node1/data/vigil"
                + "/resources/office-share/samba");
        Path sockets = SmbConf.socketDirectory(longDir);
        assertThat(sockets.toString()).matches("/run/vigil-fileshare/[0-9a-f]{16}");
        assertThat(SmbConf.socketDirectory(longDir)).as("the same every time").isEqualTo(sockets);
        assertThat(SmbConf.socketDirectory(Path.of(longDir + "2"))).as("another resource's").isNotEqualTo(sockets);
        FileshareConfig c = FileshareConfig.parse(withDefaults(GOOD));
        assertThat(SmbConf.render(c, "office-share", longDir, sockets, longDir.resolve("log.smbd")))
                .contains("lock directory = " + sockets + "/lock\n").contains("ncalrpc dir = " + sockets + "/ncalrpc\n")
                .contains("private dir = " + longDir + "/private\n");
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
