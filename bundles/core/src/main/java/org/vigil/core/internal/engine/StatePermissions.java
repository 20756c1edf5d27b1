package org.vigil.core.internal.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Who may see the node's state: the cluster document holds every command the node runs and the state files its
 * incarnation and processes, so they are the node user's only. The state directory itself stays traversable
 * (0711, not listable) because servers a resource runs as another user (PostgreSQL's socket directory) live below it.
 */
public final class StatePermissions {

    private StatePermissions() {
    }

    /** Makes the file readable and writable by its owner only (mode 0600). */
    public static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to set
        }
    }

    /**
     * Secures a state directory: the directory 0711, each file directly in it 0600, the process records ({@code run})
     * 0700.
     */
    public static void secure(Path stateDir) throws IOException {
        try {
            Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx--x--x"));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(stateDir)) {
                for (Path p : entries) {
                    if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        ownerOnly(p);
                    } else if (p.getFileName().toString().equals("run") && Files.isDirectory(p)) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                    }
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to set
        }
    }
}
