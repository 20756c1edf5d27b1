package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {

    @TempDir
    Path dir;

    @Test
    void aKeyFileOthersCanReadIsRefusedNamingTheFileAndTheMode() throws Exception {
        Path key = dir.resolve("vigil-cluster.key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> NodeFiles.readKey(key)).hasMessageContaining(key.toString())
                .hasMessageContaining("mode 0644").hasMessageContaining("0600 or 0400");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(NodeFiles.readKey(key)).hasSize(32);
    }

    @Test
    void aShortKeyIsRefusedNamingTheFileAndTheLength() throws Exception {
        Path key = dir.resolve("short.key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[8]));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> NodeFiles.readKey(key)).hasMessageContaining(key.toString())
                .hasMessageContaining("8 bytes");
    }

    @Test
    void theIncarnationGrowsAtEveryStartEvenAfterAGarbledFile() throws Exception {
        long first = NodeFiles.nextIncarnation(dir);
        long second = NodeFiles.nextIncarnation(dir);
        assertThat(second).isGreaterThan(first);
        Files.writeString(dir.resolve("incarnation"), Long.toString(Long.MAX_VALUE / 2));
        assertThat(NodeFiles.nextIncarnation(dir)).isEqualTo(Long.MAX_VALUE / 2 + 1);
        Files.writeString(dir.resolve("incarnation"), "garbage");
        assertThat(NodeFiles.nextIncarnation(dir)).isGreaterThanOrEqualTo(first);
    }

    @Test
    void theStateDirectoryAndKeyFileAreTheConfiguredOnes() {
        NodeSettings s = NodeSettings.parse(Map.of("state.dir", dir.toString(), "cluster.key.file", "/k/key",
                "node.name", " node7 ")).settings();
        assertThat(NodeFiles.stateDir(s)).isEqualTo(dir);
        assertThat(NodeFiles.keyFile(s)).isEqualTo(Path.of("/k/key"));
        assertThat(NodeFiles.nodeName(s)).isEqualTo("node7");
    }
}
