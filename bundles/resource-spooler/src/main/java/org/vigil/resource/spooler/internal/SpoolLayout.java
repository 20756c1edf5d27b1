package org.vigil.resource.spooler.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a spooler's files live. What must survive a failover is on the shared disk, under the
 * {@code spool-directory}: the queue definitions (cupsd's ServerRoot: printers.conf, classes.conf, ppd/,
 * subscriptions.conf, ssl/) and the jobs (cupsd's RequestRoot: one control file c<i>NNNNN</i> with the job's
 * IPP attributes and state, one data file d<i>NNNNN-nnn</i> per document, and tmp/ for the filters). What
 * belongs to one node's run is in the resource's state directory: the generated cupsd.conf and
 * cups-files.conf, job.cache and the other caches, the local certificates, the logs, the admin socket.
 *
 * @param spoolDirectory the spool-directory parameter (on the shared disk)
 * @param stateDirectory the resource's state directory on this node
 */
record SpoolLayout(Path spoolDirectory, Path stateDirectory) {

    /** Longest unix socket path cupsd can bind (sun_path is 108 bytes with the terminating NUL), less a margin. */
    static final int MAX_SOCKET_PATH = 100;

    /** Where admin sockets go when the state directory's path is too long for one. */
    static final Path SHORT_SOCKET_DIR = Path.of("/run/vigil-spooler");

    Path serverRoot() {
        return spoolDirectory.resolve("etc");
    }

    Path requestRoot() {
        return spoolDirectory.resolve("spool");
    }

    Path tempDir() {
        return requestRoot().resolve("tmp");
    }

    Path dir() {
        return stateDirectory.resolve("cupsd");
    }

    Path cupsdConf() {
        return dir().resolve("cupsd.conf");
    }

    Path cupsFilesConf() {
        return dir().resolve("cups-files.conf");
    }

    Path cacheDir() {
        return dir().resolve("cache");
    }

    /** cupsd's StateDir: local certificates. */
    Path runDir() {
        return dir().resolve("run");
    }

    Path jobCache() {
        return cacheDir().resolve("job.cache");
    }

    Path log() {
        return stateDirectory.resolve("cupsd.log");
    }

    /**
     * @return the unix socket through which root on this node administers the spooler: in the state directory,
     *         or, when that path is too long for a socket, in /run/vigil-spooler named by a hash of it
     */
    Path adminSocket() {
        Path inState = dir().resolve("cups.sock");
        if (inState.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return inState;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(stateDirectory.toAbsolutePath().toString()
                    .getBytes(StandardCharsets.UTF_8));
            return SHORT_SOCKET_DIR.resolve(HexFormat.of().formatHex(h, 0, 8) + ".sock");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
