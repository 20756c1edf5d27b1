package org.vigil.heartbeat.serial.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A linked pair of pseudo-terminals made by socat: what one end writes the other reads, like the two
 * ends of a null-modem cable. Started by the test, stopped by its own PID.
 */
final class Socat implements AutoCloseable {

    final Path a;
    final Path b;
    private final Path log;
    private Process process;

    private Socat(Path dir) {
        this.a = dir.resolve("ttyA");
        this.b = dir.resolve("ttyB");
        this.log = dir.resolve("socat.log");
    }

    /**
     * Starts socat, or skips the test when socat is not installed (fails instead when CI=true: CI must
     * run the serial tests).
     */
    static Socat start(Path dir) throws IOException, InterruptedException {
        requireSocat();
        Socat s = new Socat(dir);
        s.begin();
        return s;
    }

    static void requireSocat() {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "socat"))) {
                found = true;
                break;
            }
        }
        if (!found) {
            String why = "socat is not installed (apt-get install socat; scripts/test.sh installs it): "
                    + "the serial transport is tested over a linked pair of pseudo-terminals made by socat";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
    }

    /** Starts socat (again: a cable plugged back in) and waits until both links exist. */
    void begin() throws IOException, InterruptedException {
        Files.deleteIfExists(a);
        Files.deleteIfExists(b);
        process = new ProcessBuilder("socat", "-d", "-d",
                "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(a) && Files.exists(b))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String out = Files.exists(log) ? Files.readString(log) : "";
                end();
                Assertions.fail("socat did not make the pty pair: " + out);
            }
            Thread.sleep(10);
        }
    }

    /** Stops socat (a cable pulled out): both pseudo-terminals vanish. */
    void end() throws InterruptedException {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        p.destroy(); // SIGTERM to this PID only
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** @return the other end of the pair */
    Path other(String device) {
        return Path.of(device).equals(a) ? b : a;
    }

    /** Writes bytes into a pseudo-terminal: they come out of the other end, between the frames. */
    static void write(Path tty, byte[] bytes) throws IOException {
        try (var out = Files.newOutputStream(tty, java.nio.file.StandardOpenOption.WRITE)) {
            out.write(bytes);
        }
    }

    @Override
    public void close() throws InterruptedException {
        end();
    }
}
