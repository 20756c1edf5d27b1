package org.vigil.systemtest;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a node's {@code bin/vigil} as a script or cron job would: no terminal, standard input from /dev/null,
 * standard output and error kept apart, bounded in time.
 */
final class VigilCli {

    /** What one run printed and its exit status. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private VigilCli() {
    }

    /** Runs NODE_HOME/bin/vigil ARGS with ENV added to this JVM's environment. */
    static Result run(Path nodeHome, Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(nodeHome.resolve("bin/vigil").toString());
        argv.addAll(Arrays.asList(args));
        return exec(argv, env);
    }

    /** Runs a command line (no terminal, stdin /dev/null), killed with its descendants after 90 s. */
    static Result exec(List<String> argv, Map<String, String> env) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("vigil-cli", ".out");
            err = Files.createTempFile("vigil-cli", ".err");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            int exit;
            if (p.waitFor(Duration.ofSeconds(90).toMillis(), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                exit = -1;
            }
            return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + argv, e);
        } finally {
            for (Path f : new Path[] {out, err}) {
                if (f != null) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException ignored) {
                        // a temp file
                    }
                }
            }
        }
    }
}
