package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.plugin.support.LogTail;
import org.vigil.plugin.support.SecretFiles;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * What the PostgreSQL and MariaDB handlers share: the server runs in the foreground under the core's
 * supervisor (so it dies with the node process), start checks the data directory and the addresses and
 * then waits until the monitor's query succeeds (crash recovery included), monitor runs that query over
 * JDBC, stop follows the engine's own shutdown sequence. The engines differ in how the server is launched,
 * how an uninitialised data directory looks and which signals stop it.
 */
abstract class SqlHandler implements ResourceHandler {

    static final String MAIN = "server";

    static final Duration CHECK_POLL = Duration.ofMillis(200);
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    static final Duration KILL_RESERVE = Duration.ofSeconds(1);
    static final Duration KILL_WAIT_MIN = Duration.ofMillis(500);
    private static final Duration IN_USE_TIMEOUT = Duration.ofMillis(500);
    /** After a failed start the server started for it is stopped within this budget at most. */
    private static final Duration ABORT_STOP = Duration.ofSeconds(15);

    /** A check before launch that failed: the result to return. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient OperationResult result;

        Refused(OperationResult result) {
            super(result.message());
            this.result = result;
        }
    }

    /**
     * @param argv        the server's argument vector
     * @param environment variables added to the node's environment
     * @param note        said in the start message (for example a stale lock file removed), or ""
     */
    record Launch(List<String> argv, Map<String, String> environment, String note) {
    }

    protected final ResourceContext context;
    protected final SqlConfig.Kind kind;
    protected final SqlConfig config;
    private final String configError;

    SqlHandler(ResourceContext context, SqlConfig.Kind kind) {
        this.context = context;
        this.kind = kind;
        ParameterCheck.Parsed<SqlConfig> parsed = ParameterCheck.parse(context.parameters(),
                p -> SqlConfig.parse(kind, p));
        this.config = parsed.config();
        this.configError = parsed.error();
    }

    /** @return the server's name for messages: "PostgreSQL", "MariaDB" */
    abstract String engine();

    /**
     * Checks the data directory and the installation and builds the command line. Creates the socket directory.
     *
     * @return how to launch the server
     * @throws Refused when the server cannot be started here; the result says why, naming the parameter
     */
    abstract Launch prepare() throws Refused, IOException;

    /**
     * Stops a running server with the engine's shutdown sequence, within the budget.
     *
     * @return ok (with a note when it had to escalate), or failed when it still runs
     */
    abstract OperationResult shutdown(SupervisedProcess server, OperationContext op) throws InterruptedException;

    /** @return a message when a server Vigil did not start runs on the data directory here, else empty */
    Optional<String> foreignServer() {
        return Optional.empty();
    }

    @Override
    public OperationResult start(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        ProcessSupervisor processes = context.processes();
        Optional<SupervisedProcess> found = processes.find(MAIN);
        SupervisedProcess server = null;
        try {
            if (found.isPresent() && found.get().isAlive()) {
                return awaitReady(found.get(), op, 0, "");
            }
            found.ifPresent(p -> processes.forget(MAIN));
            if (!Files.isDirectory(config.dataDirectory())) {
                return OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": " + config.dataDirectory() + " is not a"
                        + " directory on this node (is the shared disk mounted? put the disk resource before this one"
                        + " in the group)");
            }
            Optional<String> foreign = foreignServer();
            if (foreign.isPresent()) {
                return OperationResult.failed(foreign.get());
            }
            String refused = SecretFiles.problem(SqlConfig.MONITOR_PASSWORD_FILE, config.passwordFile());
            if (refused != null) {
                return OperationResult.notInstalled(refused); // this node's copy; another node's may be right
            }
            try {
                JdbcProbe.readPassword(config.passwordFile());
            } catch (IOException e) {
                return OperationResult.failed(SqlConfig.MONITOR_PASSWORD_FILE + ": cannot read "
                        + config.passwordFile() + " on this node: " + e.getMessage());
            }
            for (InetAddress a : config.addresses()) {
                if (inUse(a, config.port())) {
                    return OperationResult.failed(SqlConfig.ADDRESS + "/" + SqlConfig.PORT + ": "
                            + SqlConfig.literal(a) + " port " + config.port() + " is already in use by another program"
                            + " on this node");
                }
            }
            Launch launch = prepare();
            Path log = logFile();
            long from = LogTail.size(log);
            server = processes.start(MAIN, launch.argv(), launch.environment(), config.dataDirectory(), log);
            OperationResult r = awaitReady(server, op, from, launch.note());
            if (!r.isOk() && server.isAlive()) {
                abort(server, op);
            }
            return r;
        } catch (Refused e) {
            return e.result;
        } catch (IOException | RuntimeException e) {
            return OperationResult.failed("cannot start " + engine() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("start abandoned (interrupted) while waiting for " + engine()
                    + " to accept connections");
        }
    }

    private OperationResult awaitReady(SupervisedProcess server, OperationContext op, long logFrom, String note)
            throws InterruptedException {
        while (true) {
            if (!server.isAlive()) {
                return OperationResult.failed(engine() + " exited during start with status " + exitStatus(server)
                        + LogTail.describe(logFile(), logFrom));
            }
            JdbcProbe.Result r = JdbcProbe.query(kind, config, min(CHECK_TIMEOUT, op.remaining()));
            if (r.ok()) {
                String message = engine() + " accepts connections on " + config.addressList() + " port "
                        + config.port() + (note.isEmpty() ? "" : "; " + note);
                return OperationResult.ok(message);
            }
            if (r.outcome() == JdbcProbe.Outcome.REFUSED) {
                return OperationResult.failed(r.message());
            }
            if (op.isCancelled() || op.remaining().compareTo(CHECK_POLL) <= 0) {
                return OperationResult.failed(engine() + " did not accept connections within the start timeout (a"
                        + " long crash recovery? see " + logFile() + "): " + r.message()
                        + LogTail.describe(logFile(), logFrom));
            }
            server.awaitExit(CHECK_POLL); // notices its death at once
        }
    }

    /** Stops the server a failed start launched, so it does not run on beside the failure. */
    private void abort(SupervisedProcess server, OperationContext op) throws InterruptedException {
        long deadline = System.nanoTime() + ABORT_STOP.toNanos();
        shutdown(server, new OperationContext() {
            @Override
            public Duration timeout() {
                return ABORT_STOP;
            }

            @Override
            public Duration remaining() {
                return Duration.ofNanos(deadline - System.nanoTime());
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        });
        if (!server.isAlive()) {
            context.processes().forget(MAIN);
        }
    }

    @Override
    public OperationResult stop(OperationContext op) {
        ProcessSupervisor processes = context.processes();
        Optional<SupervisedProcess> found = processes.find(MAIN);
        if (found.isEmpty()) {
            return OperationResult.ok();
        }
        SupervisedProcess server = found.get();
        if (!server.isAlive()) {
            processes.forget(MAIN);
            return OperationResult.ok();
        }
        try {
            OperationResult r = shutdown(server, op);
            if (!server.isAlive()) {
                processes.forget(MAIN);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (server.isAlive()) {
                return OperationResult.failed("stop abandoned (interrupted); " + engine() + " (pid " + server.pid()
                        + ") still running");
            }
            processes.forget(MAIN);
            return OperationResult.ok();
        }
    }

    @Override
    public OperationResult monitor(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        Optional<SupervisedProcess> found = context.processes().find(MAIN);
        if (found.isEmpty()) {
            Optional<String> foreign = foreignServer();
            return foreign.isPresent() ? OperationResult.failed(foreign.get()) : OperationResult.notRunning();
        }
        SupervisedProcess server = found.get();
        if (!server.isAlive()) {
            return OperationResult.failed(engine() + " exited unexpectedly with status " + exitStatus(server)
                    + LogTail.describe(logFile(), 0));
        }
        JdbcProbe.Result r = JdbcProbe.query(kind, config, min(CHECK_TIMEOUT, op.remaining()));
        return r.ok() ? OperationResult.ok() : OperationResult.failed(r.message());
    }

    /** Waits for the server to end until only {@code reserve} of the budget is left; @return true when it ended */
    static boolean awaitUntilReserve(SupervisedProcess server, OperationContext op, Duration reserve)
            throws InterruptedException {
        return server.awaitExit(positive(op.remaining().minus(reserve)));
    }

    /** The last resort: KILL to the server's whole process group; @return ok with the note, or failed */
    OperationResult kill(SupervisedProcess server, OperationContext op, String note) throws InterruptedException {
        server.signal("KILL");
        Duration wait = op.remaining();
        if (!server.awaitExit(wait.compareTo(KILL_WAIT_MIN) >= 0 ? wait : KILL_WAIT_MIN)) {
            return OperationResult.failed(engine() + " (pid " + server.pid() + ") still running after KILL");
        }
        return OperationResult.ok(note);
    }

    Path logFile() {
        return context.stateDirectory().resolve(kind == SqlConfig.Kind.POSTGRESQL ? "postgresql.log"
                : "mariadb.log");
    }

    /** @return the socket directory's path: the parameter's, or "socket" in the state directory */
    Path socketDirectoryPath() {
        return config.socketDirectory() != null ? config.socketDirectory() : context.stateDirectory().resolve("socket");
    }

    /**
     * The directory of the server's unix socket: the parameter's, or "socket" in the state directory. A directory
     * this handler creates (or the state directory's own) is made the server user's, mode 0750; an existing
     * directory the admin named is left as it is.
     *
     * @param uid the server's user
     * @param gid the server's group
     * @return the directory
     */
    Path socketDirectory(int uid, int gid) throws IOException {
        Path dir = socketDirectoryPath();
        boolean ours = config.socketDirectory() == null || !Files.exists(dir);
        Files.createDirectories(dir);
        if (ours) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
            Files.setAttribute(dir, "unix:uid", uid);
            Files.setAttribute(dir, "unix:gid", gid);
        }
        return dir;
    }

    /** @throws Refused when the socket's path is longer than a unix socket address takes (107 bytes) */
    void checkSocketPath(Path socket) throws Refused {
        int length = socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (length > 107) {
            throw new Refused(OperationResult.failed(SqlConfig.SOCKET_DIRECTORY + ": the unix socket " + socket
                    + " would be " + length + " bytes long, more than the 107 a socket address takes; name a shorter"
                    + " directory (for example /run/vigil-" + context.resourceName() + ")"));
        }
    }

    static boolean inUse(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) IN_USE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false; // refused (free), or no answer: the server's own bind will tell
        }
    }

    static String exitStatus(SupervisedProcess p) {
        return p.exitCode().isPresent() ? Integer.toString(p.exitCode().getAsInt()) : "unknown";
    }

    static Duration min(Duration a, Duration b) {
        return positive(a.compareTo(b) <= 0 ? a : b);
    }

    static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
