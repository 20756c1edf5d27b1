package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResultCode;
import org.vigil.tck.TestResourceContext;

/** Every wrong parameter is refused with NOT_CONFIGURED, and the message names it. */
class DiskParametersTest {

    private final DiskResourceType type = new DiskResourceType();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "device|dev/loop3",
        "device|' '",
        "mount-point|srv/shared",
        "mount-point|/",
        "mount-point|/var/",
        "fstype|btrfs",
        "options|noatime, nodev",
        "options|bind",
        "options|ro,remount",
        "fsck|maybe",
        "reservation|yes please",
        "reservation-timeout|1s",
        "reservation-timeout|5m",
        "reservation-timeout|ten seconds",
        "stop-grace|1h",
    })
    void aWrongParameterIsNamed(String name, String value) {
        Map<String, String> p = withDefaults(Map.of("device", "/dev/loop3", "mount-point", "/srv/shared"));
        p.put(name, value);

        OperationResult r = type.validate(p);

        assertThat(r.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(r.message()).startsWith(name + ": ");
        // start refuses the same way, before touching anything
        try (TestResourceContext ctx = new TestResourceContext(type.describe(), "d", "n", p, dir)) {
            OperationResult started = type.createHandler(ctx).start(TestResourceContext.op(type.describe().startTimeout()));
            assertThat(started.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
            assertThat(started.message()).startsWith(name + ": ");
        }
    }

    @Test
    void aMissingRequiredParameterIsNamed() {
        assertThat(type.validate(withDefaults(Map.of("mount-point", "/srv/shared"))).message()).startsWith("device: ");
        assertThat(type.validate(withDefaults(Map.of("device", "/dev/sdb1"))).message()).startsWith("mount-point: ");
    }

    @Test
    void goodParametersValidate() {
        assertThat(type.validate(withDefaults(Map.of("device", "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1",
                "mount-point", "/srv/shared/", "fstype", "XFS", "options", "noatime,nodev,data=ordered",
                "reservation-timeout", "30s", "stop-grace", "0s"))).code()).isEqualTo(ResultCode.OK);
    }

    @Test
    void aDeviceThatDoesNotExistHereIsNotInstalledNamingTheDevice() {
        Map<String, String> p = withDefaults(Map.of("device", "/dev/vigil-no-such-disk", "mount-point",
                dir.resolve("m").toString()));
        try (TestResourceContext ctx = new TestResourceContext(type.describe(), "d", "n", p, dir)) {
            var h = type.createHandler(ctx);
            OperationResult started = h.start(TestResourceContext.op(type.describe().startTimeout()));
            assertThat(started.code()).isEqualTo(ResultCode.NOT_INSTALLED);
            assertThat(started.message()).startsWith("device: /dev/vigil-no-such-disk does not exist");
            assertThat(h.monitor(TestResourceContext.op(type.describe().monitorTimeout())).code())
                    .isEqualTo(ResultCode.NOT_RUNNING);
            assertThat(h.stop(TestResourceContext.op(type.describe().stopTimeout())).code()).isEqualTo(ResultCode.OK);
        }
    }

    @Test
    void aRegularFileIsNotADevice() throws Exception {
        Path file = Files.createFile(dir.resolve("image"));
        Map<String, String> p = withDefaults(Map.of("device", file.toString(), "mount-point",
                dir.resolve("m").toString()));
        try (TestResourceContext ctx = new TestResourceContext(type.describe(), "d", "n", p, dir)) {
            OperationResult started = type.createHandler(ctx).start(TestResourceContext.op(type.describe().startTimeout()));
            assertThat(started.code()).isEqualTo(ResultCode.NOT_CONFIGURED);
            assertThat(started.message()).startsWith("device: ").contains("is not a block device");
        }
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
