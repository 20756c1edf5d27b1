package org.vigil.plugin.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The one rule for every file that holds a secret Vigil or a program it runs reads (the cluster key, the SQL
 * monitor's password file, the TSIG key of a DNS registration...): mode 0600 or 0400 and owned by the user the
 * node runs as. Anything else is refused, not warned about: another local user could read the secret (and with
 * the cluster key, run commands on every node), or, owning the file, replace it.
 */
public final class SecretFiles {

    private static final Set<PosixFilePermission> READ_WRITE =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> READ_ONLY = Set.of(PosixFilePermission.OWNER_READ);

    private SecretFiles() {
    }

    /**
     * Checks a secret file (following symbolic links: the file read is what counts).
     *
     * @param what what the file is, to start the message with (e.g. "the cluster key file", "dns-key")
     * @param file the file
     * @return null when the file exists, is a regular file of mode 0600 or 0400 owned by this process's user;
     *         otherwise why not, naming the file, its mode and owner, and the required ones
     */
    public static String problem(String what, Path file) {
        if (!Files.exists(file)) {
            return what + " " + file + " does not exist on this node";
        }
        if (!Files.isRegularFile(file)) {
            return what + " " + file + " is not a regular file";
        }
        Set<PosixFilePermission> perms;
        int fileUid;
        int nodeUid;
        try {
            perms = Files.getPosixFilePermissions(file);
            fileUid = (Integer) Files.getAttribute(file, "unix:uid");
            nodeUid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return what + " " + file + ": cannot read its mode and owner (" + e + "); it must be mode 0600 or 0400,"
                    + " owned by the node's user, on a POSIX file system";
        }
        boolean modeOk = perms.equals(READ_WRITE) || perms.equals(READ_ONLY);
        boolean ownerOk = fileUid == nodeUid;
        if (modeOk && ownerOk) {
            return null;
        }
        String user = System.getProperty("user.name", "uid " + nodeUid);
        return what + " " + file + " is refused: it has mode " + octal(perms) + " and owner uid " + fileUid
                + "; it must be mode 0600 or 0400 and owned by " + user + " (uid " + nodeUid + "), the user this node"
                + " runs as (chown " + user + " " + file + "; chmod 600 " + file + ")";
    }

    /** @return the permissions as four octal digits, e.g. 0644 */
    static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }
}
