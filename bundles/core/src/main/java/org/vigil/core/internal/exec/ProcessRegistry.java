package org.vigil.core.internal.exec;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.SupervisedProcess;

/**
 * Owns every long-running program the node's resources started, keyed by resource name and program key.
 * Lives as long as the core component, so programs survive their agent bundle being updated or removed.
 *
 * <p>Each program is started as {@code setsid /bin/sh -c LIFELINE vigil-lifeline ARGV...} with its standard
 * input a pipe whose write end only this registry holds. The lifeline script forks a watcher that blocks
 * reading the pipe, then {@code exec}s the program in its own place: the program keeps the shell's pid,
 * which {@code setsid} made a session and process-group leader. When the pipe closes (this registry
 * closed it, or the JVM died, even by {@code kill -9}), the watcher kills the whole process group.
 *
 * <p>The pipe is closed when the program ends (the JDK's process reaper already closes a child's stdin
 * when it exits; this registry also closes it on its next call), so whatever the program left behind in
 * its group is killed too. {@link #close()} closes every pipe.
 *
 * <p>It also keeps the resources' release actions ({@link ReleaseGuards}): the same technique, a guard
 * process blocked on a pipe from this JVM, but it runs a command when the pipe closes without a word from
 * this JVM, and {@link #close()} withdraws them instead.
 *
 * <p>Thread-safe. Starts no threads: exit detection is the JDK's own process reaper.
 */
public final class ProcessRegistry implements AutoCloseable {

    /**
     * The lifeline, run by {@code /bin/sh} (dash on Debian) with the program's argv as {@code "$@"}.
     *
     * <ul>
     * <li>The pipe is moved to fd 3 first: a background command's stdin is {@code /dev/null} in a
     * non-interactive shell, even with an explicit {@code <&0} on it (dash forks and re-opens stdin before
     * applying the command's redirections), so a watcher reading "its stdin" would see EOF at once.</li>
     * <li>The watcher ignores every signal an admin might pick as a stop signal (ignored dispositions survive
     * into {@code cat}), so stopping the program never cuts the lifeline; only KILL (or STOP) reaches it.</li>
     * <li>{@code kill -s KILL --}: dash's builtin rejects {@code kill -KILL -- -PGID} ("Illegal number").</li>
     * <li>The program gets {@code /dev/null} as stdin and fd 3 closed: it holds no end of the pipe, so the
     * pipe's only reader is the watcher and its only writer this JVM.</li>
     * <li>A JDK child starts with SIGQUIT blocked (HotSpot blocks it in Java threads; the mask survives
     * exec) and ignoring whatever the JVM ignores (SIGHUP under {@code nohup}); a non-interactive shell
     * cannot un-ignore a signal. GNU {@code env --default-signal} (coreutils 8.31+) resets both and execs
     * the program in the same process. Where it is missing the probe still helps: dash clears its signal
     * mask once it has waited for a command, so only inherited ignores remain. Skipped for a program name
     * containing '=', which env would take for a variable.</li>
     * </ul>
     */
    static final String LIFELINE_SCRIPT = String.join("\n",
            "exec 3<&0",
            "( trap '' HUP INT QUIT ABRT USR1 USR2 ALRM TERM PIPE TSTP TTIN TTOU",
            "  cat <&3 >/dev/null 2>&1",
            "  kill -s KILL -- -$$ ) >/dev/null 2>&1 &",
            "case $1 in *=*) ;; *)",
            "  if env --default-signal true </dev/null >/dev/null 2>&1 3<&-; then",
            "    exec env --default-signal \"$@\" </dev/null 3<&-",
            "  fi ;;",
            "esac",
            "exec \"$@\" </dev/null 3<&-",
            "");

    /** {@code $0} of the lifeline shell: what {@code ps} shows until the program replaces it. */
    static final String LIFELINE_NAME = "vigil-lifeline";

    private record Key(String resource, String program) {
    }

    private final Map<Key, SupervisedProgram> programs = new HashMap<>(); // guarded by this
    /** Per resource, why its last launch failed (cleared by a launch that worked); guarded by this. */
    private final Map<String, String> launchFailures = new HashMap<>();
    private boolean closed; // guarded by this
    private final ReleaseGuards guards;

    /**
     * Waits first (at most {@link ReleaseGuards#LEFTOVER_WAIT}) for the release actions a previous process of
     * this node may still be running, so that nothing this node starts can be released under it.
     *
     * @param runDir the node's run directory; names its release guards (the lifeline script is passed inline,
     *               so it cannot go missing or be altered)
     */
    public ProcessRegistry(Path runDir) {
        String marker = runDir.toAbsolutePath().toString();
        List<Long> left = ReleaseGuards.awaitLeftovers(marker, ReleaseGuards.LEFTOVER_WAIT);
        if (!left.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(ProcessRegistry.class).warn("release actions of a previous process of"
                    + " this node still run after {} s (pids {}); going on", ReleaseGuards.LEFTOVER_WAIT.toSeconds(), left);
        }
        this.guards = new ReleaseGuards(marker);
    }

    /** For tests: the release guards. */
    ReleaseGuards guards() {
        return guards;
    }

    /**
     * @param resourceName the resource whose programs the supervisor manages
     * @param defaultWorkingDir the working directory used when a start names none
     * @return the supervisor scoped to that resource
     */
    public ProcessSupervisor supervisorFor(String resourceName, Path defaultWorkingDir) {
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(defaultWorkingDir, "defaultWorkingDir");
        return new Scoped(resourceName, defaultWorkingDir);
    }

    /** @return the names of the resources that have at least one live program */
    public synchronized Set<String> resourcesWithLivePrograms() {
        cutDeadLifelines();
        Set<String> names = new HashSet<>();
        programs.forEach((key, program) -> {
            if (program.isAlive()) {
                names.add(key.resource());
            }
        });
        return names;
    }

    /**
     * @param resourceName a resource
     * @return why the last launch of one of its programs failed (the JDK could not even start it), or null when
     *         the last launch worked or none failed; cleared by this call
     */
    public synchronized String takeLaunchFailure(String resourceName) {
        return launchFailures.remove(resourceName);
    }

    /**
     * The lease's fast stop: what this node's death would do, while it lives on. Every lifeline is cut (each
     * program is killed with its process group) and every release action runs (addresses removed, file systems
     * unmounted). Returns at once; the kills and actions take a few milliseconds each, in parallel. Programs and
     * guards may be started again afterwards.
     *
     * @return what was set off, for the log
     */
    public String stopEverythingNow() {
        int killed = cutEveryLifeline(false);
        int released = guards.releaseAll();
        return killed + " program(s) killed, " + released + " release action(s) started";
    }

    /** @param close also refuse later starts @return how many programs were cut */
    private int cutEveryLifeline(boolean close) {
        List<SupervisedProgram> all;
        synchronized (this) {
            closed |= close;
            all = new ArrayList<>(programs.values());
            programs.clear();
        }
        for (SupervisedProgram program : all) {
            try {
                program.cutLifeline();
            } catch (RuntimeException ignored) {
                // must not throw: the next program still has to be cut
            }
        }
        return all.size();
    }

    /**
     * Cuts every lifeline: every program still running is killed with its process group. Withdraws every
     * release guard: this JVM lives on, so nothing is released.
     */
    @Override
    public void close() {
        guards.close();
        cutEveryLifeline(true);
    }

    private synchronized SupervisedProgram start(Key key, List<String> command, Map<String, String> environment,
            Path workingDir, Path defaultWorkingDir, Path logFile) throws IOException {
        if (closed) {
            throw new IOException("the process registry is closed");
        }
        cutDeadLifelines();
        SupervisedProgram existing = programs.get(key);
        if (existing != null && existing.isAlive()) {
            return existing;
        }
        if (command == null || command.isEmpty() || command.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("empty command or null argument: " + command);
        }

        Path dir = workingDir;
        if (dir == null) {
            dir = defaultWorkingDir;
            Files.createDirectories(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("working directory " + dir + " does not exist");
        }

        List<String> argv = new ArrayList<>(List.of("setsid", "/bin/sh", "-c", LIFELINE_SCRIPT, LIFELINE_NAME));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectInput(Redirect.PIPE);
        if (environment != null) {
            pb.environment().putAll(environment);
        }
        // The lifeline shell would only report a missing executable as exit 127 in the log: say it here.
        Executables.require(command.get(0), pb.environment().get("PATH"), dir);

        if (logFile == null) {
            pb.redirectOutput(Redirect.DISCARD).redirectErrorStream(true);
        } else {
            Path parent = logFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            pb.redirectOutput(Redirect.appendTo(logFile.toFile())).redirectErrorStream(true);
        }

        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            // The program was not even launched: a node-local fault (no memory, no descriptors, the JDK's
            // files changed under this JVM), not the program failing. The engine retries such a start once.
            launchFailures.put(key.resource(), e.getMessage());
            throw e;
        }
        launchFailures.remove(key.resource());
        awaitOwnGroup(process);
        SupervisedProgram program = new SupervisedProgram(process, String.join(" ", command));
        if (existing != null) {
            existing.cutLifeline();
        }
        programs.put(key, program);
        return program;
    }

    private synchronized Optional<SupervisedProcess> find(Key key) {
        cutDeadLifelines();
        return Optional.ofNullable(programs.get(key));
    }

    private synchronized void forget(Key key) {
        SupervisedProgram program = programs.get(key);
        // A live program stays tracked: forgetting it would leave it running with nobody to stop it.
        if (program != null && !program.isAlive()) {
            program.cutLifeline();
            programs.remove(key);
        }
    }

    /**
     * Returns once the child has made its own session (setsid), so its pid is its process-group id: a
     * group signal sent before that would find no group and be lost. Bounded: a child that ends first,
     * or a system too slow to get there in a second, is returned as it is.
     */
    static void awaitOwnGroup(Process process) {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (process.isAlive() && System.nanoTime() < deadline) {
            try {
                String s = Files.readString(stat);
                // Fields after the command name (which may hold spaces): state ppid pgrp ...
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                if (f.length > 2 && Long.parseLong(f[2]) == process.pid()) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                return; // no /proc (not Linux) or the process is gone
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /** Closes the lifelines of ended programs, so their watchers kill whatever they left in their group. */
    private void cutDeadLifelines() {
        for (SupervisedProgram program : programs.values()) {
            if (!program.isAlive()) {
                program.cutLifeline();
            }
        }
    }

    /** The registry as seen by one resource. */
    private final class Scoped implements ProcessSupervisor {
        private final String resource;
        private final Path defaultWorkingDir;

        Scoped(String resource, Path defaultWorkingDir) {
            this.resource = resource;
            this.defaultWorkingDir = defaultWorkingDir;
        }

        @Override
        public SupervisedProcess start(String key, List<String> command, Map<String, String> environment,
                Path workingDir, Path logFile) throws IOException {
            return ProcessRegistry.this.start(new Key(resource, Objects.requireNonNull(key, "key")), command,
                    environment, workingDir, defaultWorkingDir, logFile);
        }

        @Override
        public Optional<SupervisedProcess> find(String key) {
            return ProcessRegistry.this.find(new Key(resource, key));
        }

        @Override
        public void forget(String key) {
            ProcessRegistry.this.forget(new Key(resource, key));
        }

        @Override
        public void guard(String key, List<String> onNodeDeath, Duration timeout) throws IOException {
            guards.guard(resource, key, onNodeDeath, timeout, defaultWorkingDir);
        }

        @Override
        public void withdrawGuard(String key) {
            guards.withdraw(resource, key);
        }
    }
}
