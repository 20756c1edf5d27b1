package org.vigil.resource.fileshare.internal;

import static org.vigil.plugin.support.resource.ManagedServer.CHECK_TIMEOUT;
import static org.vigil.plugin.support.resource.ManagedServer.min;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.plugin.support.LogTail;
import org.vigil.plugin.support.Programs;
import org.vigil.plugin.support.SecretFiles;
import org.vigil.plugin.support.resource.ManagedServer;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Serves one SMB share with a managed Samba smbd: start checks that the directory and the account database are
 * there and that nothing answers on the address yet, writes the whole smb.conf, has {@code testparm} check it,
 * runs {@code smbd --foreground --no-process-group} under the core's supervisor (so it dies with the node
 * process) and waits until it answers an SMB negotiation; stop sends TERM to its process group, KILL 1 s
 * before the timeout (once smbd has ended, the core's watcher kills what is left of its group: the
 * connection processes); monitor checks that smbd runs, that the directory is there and that an SMB negotiation
 * on the address succeeds, in-process.
 */
final class FileshareHandler implements ResourceHandler {

    static final String MAIN = "smbd";

    private static final Duration CONFIG_TEST_TIMEOUT = Duration.ofSeconds(10);
    /** What testparm says of a parameter this Samba does not know (it still exits 0). */
    private static final Pattern UNKNOWN_PARAMETER = Pattern.compile("(?im)^.*unknown parameter.*$");

    private final ResourceContext context;
    private final FileshareConfig config;
    private final String configError;

    FileshareHandler(ResourceContext context) {
        this.context = context;
        ParameterCheck.Parsed<FileshareConfig> parsed = ParameterCheck.parse(context.parameters(),
                FileshareConfig::parse);
        this.config = parsed.config();
        this.configError = parsed.error();
    }

    @Override
    public OperationResult start(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        ProcessSupervisor processes = context.processes();
        Optional<SupervisedProcess> found = processes.find(MAIN);
        try {
            if (found.isPresent() && found.get().isAlive()) {
                return awaitReady(found.get(), op, 0);
            }
            found.ifPresent(p -> processes.forget(MAIN));
            if (!Files.isDirectory(config.path())) {
                return OperationResult.failed(FileshareConfig.PATH + ": " + config.path() + " is not a directory on"
                        + " this node (if it is on a shared disk, is the disk mounted? Put the disk before the file"
                        + " share in the group)");
            }
            if (config.passdb() != null && !Files.isRegularFile(config.passdb())) {
                return OperationResult.failed(FileshareConfig.PASSDB + ": " + config.passdb() + " does not exist on"
                        + " this node (create it with pdbedit -b tdbsam:" + config.passdb() + " -a <user>, see the"
                        + " README; if it is on a shared disk, put the disk before the file share)");
            }
            String refused = config.passdb() == null ? null : SecretFiles.problem(FileshareConfig.PASSDB, config.passdb());
            if (refused != null) {
                return OperationResult.notInstalled(refused); // password hashes: not for other local users
            }
            if (!isLocalAddress()) {
                return OperationResult.failed(FileshareConfig.LISTEN + ": " + config.interfaceAddress() + " is not an"
                        + " address of this node (put the group's ip resource before the file share)");
            }
            if (SmbProbe.inUse(config.listen())) {
                // Otherwise the readiness check would take the other program's answers for smbd's.
                return OperationResult.failed(FileshareConfig.LISTEN + ": " + config.listenText() + " is already in"
                        + " use by another program on this node");
            }
            Path smbd = Programs.resolve(config.smbd());
            if (smbd == null) {
                return OperationResult.notInstalled(FileshareConfig.SMBD + ": '" + config.smbd() + "' is not"
                        + " installed on this node (Debian package samba)");
            }
            Path testparm = Programs.resolve("testparm");
            if (testparm == null) {
                return OperationResult.notInstalled("testparm is not installed on this node (Debian package"
                        + " samba-common-bin, installed with samba)");
            }
            Path conf = writeConfiguration();
            CommandResult tested = context.run(List.of(testparm.toString(), "-s", conf.toString()),
                    min(CONFIG_TEST_TIMEOUT, op.remaining()));
            if (!tested.succeeded()) {
                return OperationResult.failed("testparm refused the configuration generated in " + conf + ": "
                        + tested.describeFailure());
            }
            Matcher unknown = UNKNOWN_PARAMETER.matcher(tested.stderr() + "\n" + tested.stdout());
            if (unknown.find()) {
                return OperationResult.failed("testparm: this Samba does not know a parameter of the configuration"
                        + " generated in " + conf + ": " + unknown.group().strip());
            }
            Path log = logFile();
            long logFrom = LogTail.size(log);
            SupervisedProcess process = processes.start(MAIN, List.of(smbd.toString(), "--foreground",
                    "--no-process-group", "--debug-stdout", "--configfile=" + conf), Map.of(), conf.getParent(), log);
            return awaitReady(process, op, logFrom);
        } catch (IOException | RuntimeException e) {
            return OperationResult.failed("cannot start smbd: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("start abandoned (interrupted) while waiting for smbd to answer");
        }
    }

    /** Writes smb.conf (atomically) and creates the directories it names. @return the file */
    private Path writeConfiguration() throws IOException {
        Path dir = Files.createDirectories(context.stateDirectory().resolve("samba"));
        for (String sub : SmbConf.DIRECTORIES) {
            Files.createDirectories(dir.resolve(sub));
        }
        Path sockets = SmbConf.socketDirectory(dir);
        for (String sub : SmbConf.SOCKET_DIRECTORIES) {
            Files.createDirectories(sockets.resolve(sub));
        }
        // secrets.tdb (this node's machine account secrets) lives there: root only
        Files.setPosixFilePermissions(dir.resolve("private"), PosixFilePermissions.fromString("rwx------"));
        Path conf = dir.resolve("smb.conf");
        Path tmp = dir.resolve("smb.conf.tmp");
        Files.writeString(tmp, SmbConf.render(config, context.resourceName(), dir, sockets,
                dir.resolve("log.smbd")),
                StandardCharsets.UTF_8);
        Files.move(tmp, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return conf;
    }

    private OperationResult awaitReady(SupervisedProcess smbd, OperationContext op, long logFrom)
            throws InterruptedException {
        return ManagedServer.awaitReady(smbd, MAIN, op, timeout -> SmbProbe.check(config.listen(), timeout),
                logFile(), logFrom, " (for the details, run it by hand: smbd -d3 --foreground --no-process-group"
                        + " --debug-stdout --configfile=" + configFile() + ")");
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
        Optional<OperationResult> down = ManagedServer.notRunning(context.processes(), MAIN, logFile());
        if (down.isPresent()) {
            return down.get();
        }
        if (!Files.isDirectory(config.path())) {
            return OperationResult.failed(FileshareConfig.PATH + ": " + config.path() + " is gone (was the disk"
                    + " under it unmounted?)");
        }
        Optional<String> failure = SmbProbe.check(config.listen(), min(CHECK_TIMEOUT, op.remaining()));
        return failure.isPresent() ? OperationResult.failed(failure.get()) : OperationResult.ok();
    }

    private Path configFile() {
        return context.stateDirectory().resolve("samba/smb.conf");
    }

    private Path logFile() {
        return context.stateDirectory().resolve("smbd.log");
    }

    private boolean isLocalAddress() throws SocketException {
        return config.listen().getAddress().isLoopbackAddress()
                || NetworkInterface.getByInetAddress(config.listen().getAddress()) != null;
    }
}
