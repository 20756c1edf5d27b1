package org.vigil.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProgramsTest {

    @Test
    void findsAProgramByNameOrPathAndNothingElse() {
        assertThat(Programs.resolve("sh")).isNotNull().satisfies(p -> assertThat(p.isAbsolute()).isTrue());
        assertThat(Programs.resolve("/bin/sh")).isEqualTo(Path.of("/bin/sh"));
        assertThat(Programs.resolve("vigil-no-such-program")).isNull();
        assertThat(Programs.resolve("/bin/vigil-no-such-program")).isNull();
        assertThat(Programs.resolve("bin/sh")).as("relative paths are not looked up").isNull();
        assertThat(Programs.resolve("/tmp")).as("a directory is no program").isNull();
    }
}
