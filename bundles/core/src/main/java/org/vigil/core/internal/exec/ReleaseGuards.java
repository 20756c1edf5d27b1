package org.vigil.core.internal.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The release actions the node's resources declared ({@link org.vigil.api.resource.ProcessSupervisor#guard}),
 * one {@link ReleaseGuard} process each, keyed by resource and key. An action runs only when this JVM dies with
 * it declared; {@link #close()} (the core stopping while the JVM lives) withdraws every guard.
 *
 * <p>Thread-safe. Starts no threads.
 */
final class ReleaseGuards implements AutoCloseable {

    /** The longest bound an action may ask for. */
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

    /** How long a new node process waits, at most, for the actions of the previous one. */
    static final Duration LEFTOVER_WAIT = MAX_TIMEOUT.plusSeconds(5);

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private record Key(String resource, String key) {
    }

    private final String marker;
    private final Map<Key, ReleaseGuard> guards = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    /** @param marker names this node's guards (its run directory), see {@link #awaitLeftovers} */
    ReleaseGuards(String marker) {
        this.marker = marker;
    }

    synchronized void guard(String resource, String key, List<String> command, Duration timeout, Path workingDir)
            throws IOException {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("release guard key '" + key + "' of resource " + resource
                    + ": use 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (command == null || command.isEmpty() || command.stream().anyMatch(Objects::isNull)
                || command.get(0).isEmpty()) {
            throw new IllegalArgumentException("release guard " + key + " of resource " + resource
                    + ": empty command or null argument: " + command);
        }
        if (timeout == null || timeout.toMillis() <= 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("release guard " + key + " of resource " + resource + ": timeout "
                    + timeout + " must be more than 0 and at most " + MAX_TIMEOUT.toSeconds() + " s");
        }
        if (closed) {
            throw new IOException("the process registry is closed");
        }
        Key k = new Key(resource, key);
        ReleaseGuard old = guards.get(k);
        if (old != null && old.isAlive() && old.declares(command, timeout)) {
            return;
        }
        Files.createDirectories(workingDir);
        // The new guard first, then the old one withdrawn: never an instant without one.
        ReleaseGuard fresh = ReleaseGuard.start(marker, command, timeout, workingDir,
                workingDir.resolve("release-" + key + ".log"));
        guards.put(k, fresh);
        if (old != null) {
            old.withdraw();
        }
    }

    synchronized void withdraw(String resource, String key) {
        ReleaseGuard g = guards.remove(new Key(resource, key));
        if (g != null) {
            g.withdraw();
        }
    }

    /** For tests: the guard declared under that key, if any. */
    synchronized ReleaseGuard find(String resource, String key) {
        return guards.get(new Key(resource, key));
    }

    /**
     * Runs every release action now, as if this JVM had died (the lease's fast stop): each guard's pipe is closed
     * without the word, so each guard runs its action under its bound; none is awaited here.
     *
     * @return how many actions were set off
     */
    int releaseAll() {
        List<ReleaseGuard> all;
        synchronized (this) {
            all = new ArrayList<>(guards.values());
            guards.clear();
        }
        for (ReleaseGuard g : all) {
            g.cutAsIfTheNodeDied();
        }
        return all.size();
    }

    /**
     * Withdraws every guard: the JVM lives on, so nothing may be released. A clean node stop has stopped its
     * groups before (each agent withdrew its guards); what is still held now (maintenance mode, a failed stop)
     * is left as it is.
     */
    @Override
    public void close() {
        List<ReleaseGuard> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(guards.values());
            guards.clear();
        }
        for (ReleaseGuard g : all) {
            g.withdraw();
        }
    }

    /**
     * Waits until the guards a previous process of this node left (same marker, not children of this JVM) have
     * ended, so a restart in place never takes a thing that a release still running would take away from it.
     *
     * @return the pids still running at the bound (empty: none left)
     */
    static List<Long> awaitLeftovers(String marker, Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        List<Long> left = leftovers(marker);
        while (!left.isEmpty() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            left = leftovers(marker);
        }
        return left;
    }

    private static List<Long> leftovers(String marker) {
        List<Long> pids = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String[] argv;
                try {
                    argv = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                // /bin/sh -c SCRIPT vigil-guard MARKER ...
                if (argv.length > 4 && argv[3].equals(ReleaseGuard.NAME) && argv[4].equals(marker)) {
                    long pid = Long.parseLong(p.getFileName().toString());
                    boolean ours = ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                            .map(h -> h.pid() == self).orElse(false);
                    if (!ours) {
                        pids.add(pid);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of(); // no /proc: nothing to wait for that we could see
        }
        return pids;
    }
}
