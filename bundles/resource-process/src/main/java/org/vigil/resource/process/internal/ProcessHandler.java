package org.vigil.resource.process.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Runs one {@code process} resource. Keeps no state of its own about the program: the core's supervisor
 * does, so a new handler (after this bundle was updated) finds the program its predecessor started.
 *
 * <p>A program the supervisor still tracks but that has ended died on its own (monitor: FAILED); a cleanly
 * stopped one is forgotten by {@link #stop} (monitor: NOT_RUNNING).
 */
final class ProcessHandler implements ResourceHandler {

    /** The supervisor key of the program. */
    static final String MAIN = "main";

    /** Start without checks still waits this long, so a command that fails at once fails its start. */
    static final Duration START_SETTLE = Duration.ofMillis(200);

    /** How often start retries the checks. */
    static final Duration CHECK_POLL = Duration.ofMillis(50);

    /** Stop keeps this much of its budget for KILL. */
    static final Duration KILL_RESERVE = Duration.ofSeconds(1);

    /** The least time granted to a KILL to take effect, even when the budget is spent. */
    static final Duration KILL_WAIT_MIN = Duration.ofMillis(500);

    private final ResourceContext context;
    private final ProcessConfig config;
    private final String configError;

    ProcessHandler(ResourceContext context) {
        this.context = context;
        ParameterCheck.Parsed<ProcessConfig> parsed = ParameterCheck.parse(context.parameters(), ProcessConfig::parse);
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
        Path log = logFile();
        SupervisedProcess program;
        long logFrom;
        if (found.isPresent() && found.get().isAlive()) {
            if (!config.hasChecks()) {
                return OperationResult.ok();
            }
            program = found.get();
            logFrom = 0;
        } else {
            // An earlier run ended (it died, or a start failed): begin afresh.
            found.ifPresent(p -> processes.forget(MAIN));
            Path dir = config.workingDirectory();
            if (dir != null && !Files.isDirectory(dir)) {
                return OperationResult.notInstalled(ProcessConfig.WORKING_DIRECTORY + ": " + dir + " does not exist");
            }
            logFrom = LogTail.size(log);
            try {
                program = processes.start(MAIN, List.of("/bin/sh", "-c", config.command()), environment(), dir, log);
            } catch (IOException | RuntimeException e) {
                return OperationResult.failed("cannot start: " + e.getMessage());
            }
        }
        try {
            return awaitReady(program, op, log, logFrom);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("start abandoned (interrupted) while waiting for the program");
        }
    }

    private OperationResult awaitReady(SupervisedProcess program, OperationContext op, Path log, long logFrom)
            throws InterruptedException {
        if (!config.hasChecks()) {
            program.awaitExit(min(START_SETTLE, op.remaining()));
            return program.isAlive() ? OperationResult.ok() : exitedDuringStart(program, log, logFrom);
        }
        while (true) {
            if (!program.isAlive()) {
                return exitedDuringStart(program, log, logFrom);
            }
            Optional<String> failure = runChecks(op);
            if (failure.isEmpty()) {
                return program.isAlive() ? OperationResult.ok() : exitedDuringStart(program, log, logFrom);
            }
            if (op.isCancelled() || op.remaining().compareTo(CHECK_POLL) <= 0) {
                return OperationResult.failed("not ready within the start timeout: " + failure.get());
            }
            // Waiting on the program rather than sleeping notices its death at once.
            program.awaitExit(CHECK_POLL);
        }
    }

    private static OperationResult exitedDuringStart(SupervisedProcess program, Path log, long logFrom) {
        return OperationResult.failed("exited during start with status " + exitStatus(program)
                + LogTail.describe(log, logFrom));
    }

    @Override
    public OperationResult stop(OperationContext op) {
        ProcessSupervisor processes = context.processes();
        Optional<SupervisedProcess> found = processes.find(MAIN);
        if (found.isEmpty()) {
            return OperationResult.ok();
        }
        SupervisedProcess program = found.get();
        if (!program.isAlive()) {
            // It ended on its own; the supervisor has already killed whatever it left in its group.
            processes.forget(MAIN);
            return OperationResult.ok();
        }
        String note = "";
        try {
            Duration grace = op.remaining().minus(KILL_RESERVE);
            if (config != null && config.stopCommand() != null) {
                CommandResult r = context.run(stopCommand(program), positive(grace));
                if (!r.succeeded()) {
                    note = "stop-command " + r.describeFailure() + "; ";
                }
            } else {
                program.signal(config != null ? config.stopSignal() : ProcessConfig.DEFAULT_STOP_SIGNAL);
            }
            boolean gone = program.awaitExit(positive(op.remaining().minus(KILL_RESERVE)));
            if (!gone) {
                note += "still running 1 s before the stop timeout, killed; ";
                program.signal("KILL");
                gone = program.awaitExit(max(op.remaining(), KILL_WAIT_MIN));
            }
            if (!gone) {
                return OperationResult.failed(note + "pid " + program.pid() + " still running after KILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (program.isAlive()) {
                return OperationResult.failed(note + "stop abandoned (interrupted); pid " + program.pid()
                        + " still running");
            }
        }
        processes.forget(MAIN);
        return note.isEmpty() ? OperationResult.ok() : OperationResult.ok(strip(note));
    }

    @Override
    public OperationResult monitor(OperationContext op) {
        Optional<SupervisedProcess> found = context.processes().find(MAIN);
        if (found.isEmpty()) {
            return OperationResult.notRunning();
        }
        SupervisedProcess program = found.get();
        if (!program.isAlive()) {
            return OperationResult.failed("exited unexpectedly with status " + exitStatus(program)
                    + LogTail.describe(logFile(), 0));
        }
        if (config != null && config.hasChecks()) {
            Optional<String> failure = runChecks(op);
            if (failure.isPresent()) {
                return OperationResult.failed(failure.get());
            }
        }
        return OperationResult.ok();
    }

    /** Runs the configured checks once, each bounded by check-timeout and the operation's remaining time. */
    private Optional<String> runChecks(OperationContext op) {
        if (config.tcpCheck() != null) {
            Optional<String> failure = config.tcpCheck().run(min(config.checkTimeout(), op.remaining()));
            if (failure.isPresent()) {
                return failure;
            }
        }
        if (config.httpCheck() != null) {
            return config.httpCheck().run(min(config.checkTimeout(), op.remaining()));
        }
        return Optional.empty();
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(config.environment());
        env.put("VIGIL_RESOURCE", context.resourceName());
        env.put("VIGIL_GROUP", context.groupName());
        env.put("VIGIL_NODE", context.nodeName());
        return env;
    }

    /**
     * The stop command, run through {@code sh} so that it gets the program's working directory and
     * environment (the core's short-command runner takes neither).
     */
    private List<String> stopCommand(SupervisedProcess program) {
        Path dir = config.workingDirectory() != null ? config.workingDirectory() : context.stateDirectory();
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "cd -- \"$1\" || exit; shift; while [ $# -gt 1 ]; do export \"$1\"; shift; done; eval \"$1\"",
                "vigil-stop", dir.toString()));
        environment().forEach((k, v) -> argv.add(k + "=" + v));
        argv.add("VIGIL_PID=" + program.pid());
        argv.add(config.stopCommand());
        return argv;
    }

    private Path logFile() {
        Path configured = config != null ? config.logFile() : Path.of(ProcessConfig.DEFAULT_LOG_FILE);
        return context.stateDirectory().resolve(configured);
    }

    private static String exitStatus(SupervisedProcess program) {
        return program.exitCode().isPresent() ? Integer.toString(program.exitCode().getAsInt()) : "unknown";
    }

    private static Duration min(Duration a, Duration b) {
        return positive(a.compareTo(b) <= 0 ? a : b);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static String strip(String note) {
        return note.endsWith("; ") ? note.substring(0, note.length() - 2) : note;
    }
}
