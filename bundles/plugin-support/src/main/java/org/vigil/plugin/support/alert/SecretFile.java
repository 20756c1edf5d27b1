package org.vigil.plugin.support.alert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads a secret (an SMTP password, a webhook key) from a file only its owner may read: mode 0600 or 0400, so a
 * secret never sits in a world-readable configuration file. A small check of the alert sinks' own, until a shared
 * one exists.
 */
public final class SecretFile {

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private SecretFile() {
    }

    /**
     * @param key  the configuration key, for the message
     * @param file the file
     * @return what is wrong with the file, naming the key, or null when it is usable
     */
    public static String problem(String key, String file) {
        if (file == null || file.isBlank()) {
            return key + ": required (a file holding the secret, mode 0600 or 0400)";
        }
        Path p = Path.of(file.trim());
        if (!p.isAbsolute()) {
            return key + ": '" + file + "' is not an absolute path";
        }
        if (!Files.isRegularFile(p)) {
            return key + ": " + p + " is not a file";
        }
        try {
            // the target's mode: secrets are often symlinks (a secrets manager's mount)
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!OWNER_ONLY.containsAll(perms)) {
                return key + ": " + p + " may be read by others (mode " + java.nio.file.attribute.PosixFilePermissions.toString(perms)
                        + "); make it 0600 or 0400 (chmod 600 " + p + ")";
            }
            if (!Files.isReadable(p)) {
                return key + ": " + p + " cannot be read by this node";
            }
            if (read(p).isEmpty()) {
                return key + ": " + p + " is empty";
            }
        } catch (UnsupportedOperationException e) {
            return key + ": " + p + ": the file system has no POSIX permissions to check";
        } catch (IOException e) {
            return key + ": " + p + ": " + e.getMessage();
        }
        return null;
    }

    /**
     * @param key  the configuration key
     * @param file the file
     * @return the secret: the file's first line
     * @throws IllegalArgumentException naming the key when the file is not usable
     */
    public static String read(String key, String file) {
        String problem = problem(key, file);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        try {
            return read(Path.of(file.trim()));
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": " + file + ": " + e.getMessage());
        }
    }

    private static String read(Path p) throws IOException {
        String s = Files.readString(p, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
