package org.vigil.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    @TempDir
    Path dir;

    private Path file(String mode) throws Exception {
        Path f = dir.resolve("secret-" + mode);
        Files.writeString(f, "s3cret\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void ownerOnlyModesAreAccepted() throws Exception {
        assertThat(SecretFiles.problem("the key file", file("rw-------"))).isNull();
        assertThat(SecretFiles.problem("the key file", file("r--------"))).isNull();
    }

    @Test
    void anyAccessForGroupOrOthersIsRefusedNamingFileModeAndTheRule() throws Exception {
        for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw-rw-rw-", "rwx------", "r--r--r--"}) {
            Path f = file(mode);
            String p = SecretFiles.problem("dns-key", f);
            assertThat(p).as(mode).isNotNull().startsWith("dns-key " + f).contains("refused")
                    .contains("mode " + SecretFiles.octal(PosixFilePermissions.fromString(mode)))
                    .contains("0600 or 0400");
        }
        assertThat(SecretFiles.problem("x", file("rw-r--r--"))).contains("mode 0644");
    }

    @Test
    void aFileOfAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a file away");
        Path f = file("rw-------");
        UserPrincipal nobody = f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(f, nobody);
        assertThat(SecretFiles.problem("the key file", f)).contains(f.toString()).contains("owner uid 65534")
                .contains("owned by root");
    }

    @Test
    void missingFilesAndDirectoriesAreRefused() {
        assertThat(SecretFiles.problem("monitor-password-file", dir.resolve("none")))
                .isEqualTo("monitor-password-file " + dir.resolve("none") + " does not exist on this node");
        assertThat(SecretFiles.problem("the key file", dir)).contains("not a regular file");
    }

    @Test
    void aSymbolicLinkCountsByItsTarget() throws Exception {
        Path target = file("rw-r--r--");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThat(SecretFiles.problem("the key file", link)).contains("mode 0644");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        assertThat(SecretFiles.problem("the key file", link)).isNull();
    }
}
