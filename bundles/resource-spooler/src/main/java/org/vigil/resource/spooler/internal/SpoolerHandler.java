package org.vigil.resource.spooler.internal;

import static org.vigil.plugin.support.resource.ManagedServer.exitStatus;
import static org.vigil.plugin.support.resource.ManagedServer.min;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.plugin.support.Endpoints;
import org.vigil.plugin.support.LogTail;
import org.vigil.plugin.support.Programs;
import org.vigil.plugin.support.resource.ManagedServer;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Runs one CUPS spooler: start writes cupsd.conf and cups-files.conf, has {@code cupsd -t} check them,
 * removes the node's stale job.cache (so cupsd rebuilds its job list from the job files on the shared disk,
 * the only truth after a failover), runs {@code cupsd -f} under the core's supervisor (own process group,
 * dies with the node process) and waits until it answers IPP; stop sends TERM to its process group (cupsd
 * stops the printing jobs and keeps them queued), KILL 1 s before the timeout; monitor checks that it runs,
 * that the spool directory is there and that an IPP request answers, in-process.
 */
final class SpoolerHandler implements ResourceHandler {

    static final String MAIN = "cupsd";

    private static final Duration CHECK_POLL = Duration.ofMillis(100);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CONFIG_TEST_TIMEOUT = Duration.ofSeconds(10);

    private final ResourceContext context;
    private final SpoolerConfig config;
    private final String configError;

    SpoolerHandler(ResourceContext context) {
        this.context = context;
        ParameterCheck.Parsed<SpoolerConfig> parsed = ParameterCheck.parse(context.parameters(), SpoolerConfig::parse);
        this.config = parsed.config();
        this.configError = parsed.error();
    }

    private SpoolLayout layout() {
        return new SpoolLayout(config.spoolDirectory(), context.stateDirectory());
    }

    @Override
    public OperationResult start(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        ProcessSupervisor processes = context.processes();
        Optional<SupervisedProcess> found = processes.find(MAIN);
        SpoolLayout layout = layout();
        try {
            if (found.isPresent() && found.get().isAlive()) {
                return awaitReady(found.get(), layout, op, -1); // -1: its start-up log is not ours to read
            }
            found.ifPresent(p -> processes.forget(MAIN));
            if (!Files.isDirectory(config.spoolDirectory())) {
                return OperationResult.failed(SpoolerConfig.SPOOL_DIRECTORY + ": " + config.spoolDirectory()
                        + " is not a directory on this node (is the shared disk mounted? put the disk resource before"
                        + " the spooler in the group, and create the directory once on the disk)");
            }
            if (IppProbe.inUse(config.listen())) {
                // Otherwise the readiness check would take the other program's answers for cupsd's.
                return OperationResult.failed(SpoolerConfig.LISTEN + ": " + Endpoints.format(config.listen())
                        + " is already in use by another program on this node");
            }
            Path binary = Programs.resolve(config.cupsd());
            if (binary == null) {
                return OperationResult.notInstalled(SpoolerConfig.CUPSD + ": '" + config.cupsd() + "' is not"
                        + " installed on this node (Debian package cups-daemon)");
            }
            prepare(layout);
            List<String> argv = List.of(binary.toString(), "-f", "-c", layout.cupsdConf().toString(), "-s",
                    layout.cupsFilesConf().toString());
            CommandResult tested = context.run(List.of(binary.toString(), "-t", "-c", layout.cupsdConf().toString(),
                    "-s", layout.cupsFilesConf().toString()), min(CONFIG_TEST_TIMEOUT, op.remaining()));
            if (!tested.succeeded()) {
                return OperationResult.failed("cupsd -t refused the configuration generated in " + layout.dir() + ": "
                        + tested.describeFailure());
            }
            long logFrom = LogTail.size(layout.log());
            SupervisedProcess cupsd = processes.start(MAIN, argv, Map.of(), layout.dir(), layout.log());
            OperationResult ready = awaitReady(cupsd, layout, op, logFrom);
            if (!ready.isOk() && cupsd.isAlive()) {
                // a cupsd that cannot listen runs on regardless (on its admin socket): do not leave it holding the disk
                cupsd.signal("KILL");
                cupsd.awaitExit(ManagedServer.KILL_WAIT_MIN);
            }
            return ready;
        } catch (IOException | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            return OperationResult.failed(m.startsWith(SpoolerConfig.SPOOL_DIRECTORY + ": ") ? m
                    : "cannot start cupsd: " + m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("start abandoned (interrupted) while waiting for cupsd to answer");
        }
    }

    /** Creates the directories, writes both configuration files, and drops this node's job.cache. */
    private void prepare(SpoolLayout layout) throws IOException {
        Files.createDirectories(layout.dir());
        Files.createDirectories(layout.cacheDir());
        Files.createDirectories(layout.runDir());
        // cupsd sets the owners and modes of these itself (root:lp)
        try {
            Files.createDirectories(layout.serverRoot());
            Files.createDirectories(layout.requestRoot());
            Files.createDirectories(layout.tempDir());
        } catch (IOException e) {
            throw new IOException(SpoolerConfig.SPOOL_DIRECTORY + ": cannot create " + layout.serverRoot() + " and "
                    + layout.requestRoot() + " (read-only disk?): " + e, e);
        }
        Path socket = layout.adminSocket();
        if (!socket.getParent().equals(layout.dir())) {
            Files.createDirectories(socket.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        // job.cache is this node's summary of the job files from when it last ran the spooler. cupsd loads it
        // instead of the control files when it is newer than the spool directory, comparing this node's clock
        // with the other node's: a clock ahead would hide the jobs queued elsewhere since. Without it, cupsd
        // reads every control file on the disk.
        Files.deleteIfExists(layout.jobCache());
        Files.deleteIfExists(layout.cacheDir().resolve("job.cache.O"));
        write(layout.cupsdConf(), CupsConf.cupsdConf(config, context.resourceName(), layout));
        write(layout.cupsFilesConf(), CupsConf.cupsFilesConf(layout, context.resourceName()));
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private OperationResult awaitReady(SupervisedProcess cupsd, SpoolLayout layout, OperationContext op, long logFrom)
            throws InterruptedException {
        while (true) {
            if (!cupsd.isAlive()) {
                return OperationResult.failed("cupsd exited during start with status " + exitStatus(cupsd)
                        + LogTail.describe(layout.log(), Math.max(0, logFrom)));
            }
            String bindError = logFrom < 0 ? null : listenError(layout.log(), logFrom);
            if (bindError != null) {
                return OperationResult.failed(SpoolerConfig.LISTEN + ": cupsd cannot listen on "
                        + Endpoints.format(config.listen()) + " (is the address on this node? put the ip resource"
                        + " before the spooler in the group): " + bindError);
            }
            Optional<String> failure = IppProbe.check(config.listen(), min(CHECK_TIMEOUT, op.remaining()));
            if (failure.isEmpty()) {
                return cupsd.isAlive() ? OperationResult.ok("printing on " + Endpoints.format(config.listen())
                        + "; admin socket " + layout.adminSocket())
                        : OperationResult.failed("cupsd exited during start with status " + exitStatus(cupsd)
                                + LogTail.describe(layout.log(), Math.max(0, logFrom)));
            }
            if (op.isCancelled() || op.remaining().compareTo(CHECK_POLL) <= 0) {
                return OperationResult.failed("cupsd did not answer within the start timeout: " + failure.get()
                        + LogTail.describe(layout.log(), Math.max(0, logFrom)));
            }
            cupsd.awaitExit(CHECK_POLL); // notices its death at once
        }
    }

    /**
     * cupsd logs a listen address it cannot bind and runs on without it (log levels error and above).
     *
     * @return that log line, or null
     */
    static String listenError(Path log, long from) {
        try {
            long size = Files.size(log);
            if (size <= from) {
                return null;
            }
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
                long start = Math.max(from, size - 65536);
                byte[] b = new byte[(int) (size - start)];
                f.seek(start);
                f.readFully(b);
                for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                    if (line.contains("Unable to open listen socket")) {
                        return line.strip();
                    }
                }
            }
        } catch (IOException e) {
            // no log (yet): the IPP check decides
        }
        return null;
    }

    @Override
    public OperationResult stop(OperationContext op) {
        return ManagedServer.stop(context.processes(), MAIN, op);
    }

    @Override
    public OperationResult monitor(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        Optional<OperationResult> down = ManagedServer.notRunning(context.processes(), MAIN, layout().log());
        if (down.isPresent()) {
            return down.get();
        }
        if (!Files.isDirectory(layout().requestRoot())) {
            return OperationResult.failed(SpoolerConfig.SPOOL_DIRECTORY + ": " + layout().requestRoot()
                    + " is gone (was the disk under it unmounted?)");
        }
        Optional<String> failure = IppProbe.check(config.listen(), min(CHECK_TIMEOUT, op.remaining()));
        return failure.isPresent() ? OperationResult.failed(failure.get()) : OperationResult.ok();
    }
}
