package org.vigil.systemtest;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one command, bounded in time (killed with its descendants at the limit), output and error merged. */
final class Sh {

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private Sh() {
    }

    static Result run(Duration timeout, List<String> argv) {
        return run(timeout, argv, Map.of());
    }

    static Result run(Duration timeout, List<String> argv, Map<String, String> env) {
        Path out = null;
        try {
            out = Files.createTempFile("vigil-sh", ".out");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            int exit;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                exit = -1;
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (exit == -1) {
                text += "\n[" + String.join(" ", argv) + " killed after " + timeout.toMillis() + " ms]";
            }
            return new Result(exit, text);
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", argv), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    static Result run(String... argv) {
        return run(Duration.ofSeconds(20), List.of(argv));
    }

    /** Runs the command and fails unless it exits 0. @return its output */
    static String ok(String... argv) {
        Result r = run(argv);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
