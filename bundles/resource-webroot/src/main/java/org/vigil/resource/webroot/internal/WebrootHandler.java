package org.vigil.resource.webroot.internal;

import static org.vigil.plugin.support.resource.ManagedServer.CHECK_TIMEOUT;
import static org.vigil.plugin.support.resource.ManagedServer.min;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
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
import org.vigil.plugin.support.LogTail;
import org.vigil.plugin.support.Programs;
import org.vigil.plugin.support.resource.ManagedServer;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Serves one web root with a managed nginx: start writes its configuration, has {@code nginx -t} check it,
 * runs nginx in the foreground under the core's supervisor (so it dies with the node process) and waits
 * until it answers; stop sends TERM to its process group (nginx's fast shutdown), KILL 1 s before the
 * timeout; monitor checks that it runs, that the root is there and that a GET of / answers below 500.
 */
final class WebrootHandler implements ResourceHandler {

    static final String MAIN = "nginx";

    private static final Duration CONFIG_TEST_TIMEOUT = Duration.ofSeconds(10);

    private final ResourceContext context;
    private final WebrootConfig config;
    private final String configError;

    WebrootHandler(ResourceContext context) {
        this.context = context;
        ParameterCheck.Parsed<WebrootConfig> parsed = ParameterCheck.parse(context.parameters(), WebrootConfig::parse);
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
            if (!Files.isDirectory(config.root())) {
                return OperationResult.failed(WebrootConfig.ROOT + ": " + config.root() + " is not a directory on"
                        + " this node (if it is on a shared disk, put the disk before the web root in the group)");
            }
            if (HttpProbe.inUse(config.listen())) {
                // Otherwise the readiness check would take the other program's answers for nginx's.
                return OperationResult.failed(WebrootConfig.LISTEN + ": " + config.listen() + " is already in use by"
                        + " another program on this node");
            }
            Path binary = Programs.resolve(config.nginx());
            if (binary == null) {
                return OperationResult.notInstalled(WebrootConfig.NGINX + ": '" + config.nginx() + "' is not"
                        + " installed on this node (Debian package nginx-light or nginx)");
            }
            Path dir = Files.createDirectories(context.stateDirectory().resolve("nginx"));
            Path conf = dir.resolve("nginx.conf");
            Path tmp = dir.resolve("nginx.conf.tmp");
            Files.writeString(tmp, NginxConf.render(config, context.resourceName(), dir, isRoot()),
                    StandardCharsets.UTF_8);
            Files.move(tmp, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            List<String> argv = new ArrayList<>(List.of(binary.toString(), "-e", "stderr", "-p", dir + "/", "-c",
                    conf.toString()));
            List<String> test = new ArrayList<>(argv);
            test.add(1, "-t");
            test.add(2, "-q");
            CommandResult tested = context.run(test, min(CONFIG_TEST_TIMEOUT, op.remaining()));
            if (!tested.succeeded()) {
                return OperationResult.failed("nginx -t refused the configuration generated in " + conf + ": "
                        + tested.describeFailure());
            }
            Path log = logFile();
            long logFrom = LogTail.size(log);
            SupervisedProcess nginx = processes.start(MAIN, argv, Map.of(), dir, log);
            return awaitReady(nginx, op, logFrom);
        } catch (IOException | RuntimeException e) {
            return OperationResult.failed("cannot start nginx: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("start abandoned (interrupted) while waiting for nginx to answer");
        }
    }

    private OperationResult awaitReady(SupervisedProcess nginx, OperationContext op, long logFrom)
            throws InterruptedException {
        return ManagedServer.awaitReady(nginx, MAIN, op, timeout -> HttpProbe.check(config.listen(), timeout),
                logFile(), logFrom, "");
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
        if (!Files.isDirectory(config.root())) {
            return OperationResult.failed(WebrootConfig.ROOT + ": " + config.root() + " is gone (was the disk under"
                    + " it unmounted?)");
        }
        Optional<String> failure = HttpProbe.check(config.listen(), min(CHECK_TIMEOUT, op.remaining()));
        return failure.isPresent() ? OperationResult.failed(failure.get()) : OperationResult.ok();
    }

    private Path logFile() {
        return context.stateDirectory().resolve("nginx.log");
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
