package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.plugin.support.Programs;

/**
 * Runs one PostgreSQL cluster: {@code postgres -D <data-directory>} in the foreground, as the data directory's
 * owner (through {@code setpriv}, which execs in place, so the supervised pid is the postmaster's and the
 * lifeline still reaches it), listening on the configured addresses only, its unix socket in the state
 * directory. Stop is PostgreSQL's own sequence, sent to the postmaster as {@code pg_ctl} does: fast
 * shutdown (INT), immediate shutdown (QUIT) when the stop timeout is near, KILL of the whole process group
 * as the last resort.
 */
final class PostgresqlHandler extends SqlHandler {

    /** Immediate shutdown is sent when this much of the stop timeout is left. */
    static final Duration IMMEDIATE_RESERVE = Duration.ofSeconds(5);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern VERSION = Pattern.compile("\\d{1,2}(\\.\\d{1,2})?");

    PostgresqlHandler(ResourceContext context) {
        super(context, SqlConfig.Kind.POSTGRESQL);
    }

    @Override
    String engine() {
        return "PostgreSQL";
    }

    @Override
    Launch prepare() throws Refused, IOException {
        Path data = config.dataDirectory();
        Path versionFile = data.resolve("PG_VERSION");
        if (!Files.isRegularFile(versionFile)) {
            throw new Refused(OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": " + data + " holds no PostgreSQL"
                    + " cluster (no PG_VERSION). If the shared disk is mounted there, initialise it once, on one node:"
                    + " su postgres -s /bin/sh -c '/usr/lib/postgresql/<version>/bin/initdb -D " + data + "' (Vigil"
                    + " never initialises a data directory itself: on a failover node an empty one usually means the"
                    + " disk is not mounted)"));
        }
        String version = Files.readString(versionFile, StandardCharsets.US_ASCII).strip();
        if (!VERSION.matcher(version).matches()) {
            throw new Refused(OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": " + versionFile
                    + " does not hold a PostgreSQL version: '" + version + "'"));
        }
        String postgres = config.program() != null ? config.program()
                : "/usr/lib/postgresql/" + version + "/bin/postgres";
        Path binary = Programs.resolve(postgres);
        if (binary == null) {
            throw new Refused(OperationResult.notInstalled((config.program() != null ? SqlConfig.BIN_DIRECTORY
                    : SqlConfig.DATA_DIRECTORY) + ": the data directory is a PostgreSQL " + version + " cluster, but "
                    + postgres + " is not installed on this node (Debian package postgresql-" + version + ")"));
        }
        Path setpriv = Programs.resolve("setpriv");
        if (setpriv == null) {
            throw new Refused(OperationResult.notInstalled("setpriv is not installed on this node (Debian package"
                    + " util-linux)"));
        }
        int uid = (Integer) Files.getAttribute(data, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(data, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (uid == 0) {
            throw new Refused(OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": " + data + " is owned by root;"
                    + " PostgreSQL runs as the data directory's owner and refuses root (chown -R postgres:postgres "
                    + data + ")"));
        }
        String note = removeStaleLockFile(data);
        checkSocketPath(socketDirectoryPath().resolve(".s.PGSQL." + config.port()));
        Path sockets = socketDirectory(uid, gid);
        List<String> argv = List.of(setpriv.toString(), "--reuid=" + uid, "--regid=" + gid, "--init-groups",
                binary.toString(), "-D", data.toString(), "-p", Integer.toString(config.port()),
                "-c", "listen_addresses=" + config.addressList(),
                "-c", "unix_socket_directories=" + sockets);
        return new Launch(argv, Map.of(), note);
    }

    /**
     * A node that crashed leaves postmaster.pid behind. PostgreSQL refuses to start while the pid in it names
     * any live process, and on another node that pid can belong to anything. The file is removed unless the
     * process it names runs in this very data directory (the postmaster's working directory is its data directory).
     */
    private String removeStaleLockFile(Path data) throws Refused, IOException {
        Path lock = data.resolve("postmaster.pid");
        Optional<Long> pid = lockPid(lock);
        if (pid.isEmpty()) {
            return "";
        }
        if (runsIn(pid.get(), data)) {
            throw new Refused(OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": a PostgreSQL not started by"
                    + " Vigil (pid " + pid.get() + ") runs on " + data + " on this node; stop it first"));
        }
        Files.deleteIfExists(lock);
        return "removed the stale " + lock + " (pid " + pid.get() + ", left by a server that did not shut down)";
    }

    @Override
    Optional<String> foreignServer() {
        Path data = config.dataDirectory();
        Optional<Long> pid = lockPid(data.resolve("postmaster.pid"));
        if (pid.isPresent() && runsIn(pid.get(), data)) {
            return Optional.of(SqlConfig.DATA_DIRECTORY + ": a PostgreSQL not started by Vigil (pid " + pid.get()
                    + ") runs on " + data + " on this node");
        }
        return Optional.empty();
    }

    private static Optional<Long> lockPid(Path lock) {
        try {
            List<String> lines = Files.readAllLines(lock, StandardCharsets.US_ASCII);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean runsIn(long pid, Path data) {
        try {
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
            return cwd.normalize().equals(data.toRealPath()) || cwd.normalize().equals(data);
        } catch (IOException | RuntimeException e) {
            return false; // no such process
        }
    }

    @Override
    OperationResult shutdown(SupervisedProcess server, OperationContext op) throws InterruptedException {
        signalPostmaster(server, "INT"); // fast shutdown: roll back open transactions, checkpoint, exit
        if (awaitUntilReserve(server, op, IMMEDIATE_RESERVE)) {
            return OperationResult.ok();
        }
        signalPostmaster(server, "QUIT"); // immediate shutdown: no checkpoint, crash recovery at next start
        if (awaitUntilReserve(server, op, KILL_RESERVE)) {
            return OperationResult.ok("fast shutdown did not finish before the stop timeout was near; immediate"
                    + " shutdown used (crash recovery at the next start)");
        }
        return kill(server, op, "PostgreSQL did not finish an immediate shutdown; killed");
    }

    /** The signal to the postmaster alone, as pg_ctl sends it: it tells its children itself. */
    private void signalPostmaster(SupervisedProcess server, String signal) {
        if (!server.isAlive()) {
            return;
        }
        CommandResult r = context.run(List.of("kill", "-s", signal, Long.toString(server.pid())), SIGNAL_TIMEOUT);
        if (!r.succeeded() && server.isAlive()) {
            server.signal(signal); // the whole group then; better than nothing
        }
    }
}
