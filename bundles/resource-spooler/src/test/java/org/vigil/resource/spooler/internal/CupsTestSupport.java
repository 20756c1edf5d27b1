package org.vigil.resource.spooler.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.vigil.plugin.support.Programs;

/**
 * Shared by the spooler tests: prerequisites, directories cupsd's filters (user lp) can reach, free ports, the
 * CUPS command-line clients, and a test backend that appends every job it prints to a file.
 */
final class CupsTestSupport {

    /** The test backend's URI scheme, unique to this JVM so parallel runs do not share it. */
    static final String BACKEND = "vigiltest" + ProcessHandle.current().pid();

    private static final Path BACKEND_DIR = Path.of("/usr/lib/cups/backend");

    private CupsTestSupport() {
    }

    /** Skips with the reason when CUPS or root is missing, or fails when CI=true: CI must run every test. */
    static void assumeCups(String... moreTools) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (cupsd runs its backends and filters as lp)");
        }
        List<String> tools = new ArrayList<>(List.of("cupsd", "lp", "lpstat", "lpadmin", "cupsenable", "cupsdisable", "cancel"));
        tools.addAll(List.of(moreTools));
        for (String tool : tools) {
            if (Programs.resolve(tool) == null) {
                missing.add(tool);
            }
        }
        if (!Files.isDirectory(BACKEND_DIR)) {
            missing.add(BACKEND_DIR.toString());
        }
        if (!missing.isEmpty()) {
            String reason = "needs " + String.join(", ", missing) + " (Debian packages cups, cups-client, cups-bsd;"
                    + " scripts/test.sh installs them as root)";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + reason);
            }
            Assumptions.assumeTrue(false, reason);
        }
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** @return a new directory everyone may traverse (cupsd's filters run as lp) */
    static Path openDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /** @return a TCP port free on 127.0.0.1 right now */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs the test backend: {@code BACKEND:/path} appends each job's data to /path. Mode 0700, so cupsd
     * runs it as root. @return the backend file, to pass to {@link #removeBackend}
     */
    static Path installBackend() throws IOException {
        Path b = BACKEND_DIR.resolve(BACKEND);
        String script = """
                #!/bin/sh
                # Vigil spooler test backend (removed by the test): appends each job to the file its URI names.
                if [ $# -eq 0 ]; then echo 'direct %s "Unknown" "Vigil test backend"'; exit 0; fi
                out="${DEVICE_URI#*:}"
                if [ $# -ge 6 ]; then cat "$6" >> "$out" || exit 1; else cat >> "$out" || exit 1; fi
                exit 0
                """.formatted(BACKEND);
        Files.writeString(b, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rwx------"));
        return b;
    }

    static void removeBackend(Path backend) {
        try {
            if (backend != null) {
                Files.deleteIfExists(backend);
            }
        } catch (IOException e) {
            // best effort
        }
    }

    /** Output and exit status of a command. */
    record Result(int exit, String output) {
        Result check() {
            if (exit != 0) {
                throw new AssertionError("command failed (exit " + exit + "): " + output);
            }
            return this;
        }
    }

    /** Runs a command (at most 30 s, stdin from /dev/null so nothing waits for a password). */
    static Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** @param pgid a process group; @return the pids in it */
    static List<Long> processGroup(long pgid) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[2]) == pgid) {
                        pids.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        }
        return pids;
    }

    /**
     * @param pids processes
     * @return the local addresses ("127.0.0.1:631", "0.0.0.0:631", "[::]:631") of the listening TCP sockets they hold
     */
    static Set<String> listeningTcpSockets(List<Long> pids) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : fds) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            }
        }
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.strip().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    String[] hp = f[1].split(":");
                    String a = hp[0];
                    String host = a.length() == 8
                            ? Integer.parseInt(a.substring(6, 8), 16) + "." + Integer.parseInt(a.substring(4, 6), 16)
                                    + "." + Integer.parseInt(a.substring(2, 4), 16) + "."
                                    + Integer.parseInt(a.substring(0, 2), 16)
                            : "[" + a + "]";
                    listening.add(host + ":" + Integer.parseInt(hp[1], 16));
                }
            }
        }
        return listening;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
