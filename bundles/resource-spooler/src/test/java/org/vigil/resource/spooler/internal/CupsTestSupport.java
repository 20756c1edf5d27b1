package org.vigil.resource.spooler.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vigil.plugin.support.Programs;
import org.vigil.tck.AgentTestSupport;

/**
 * Shared by the spooler tests: prerequisites, directories cupsd's filters (user lp) can reach, the
 * CUPS command-line clients, and a test backend that appends every job it prints to a file (free ports, process
 * groups, sockets and deleteTree are in agent-tck's AgentTestSupport).
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
        if (!AgentTestSupport.isRoot()) {
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
            AgentTestSupport.skipOrFail(reason);
        }
    }

    /** @return a new directory everyone may traverse (cupsd's filters run as lp) */
    static Path openDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
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
}
