package org.vigil.core.internal.sim;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs simulation seeds and prints one line per run, so that another JVM's runs of the same seeds can be
 * compared with them ({@link SimulationReplayTest}): {@code begin <profile> <seed>}, every trace line of the
 * run as it happens, then {@code run <profile> <seed> <events> <fingerprint>}.
 *
 * <p>Arguments: {@code <profile>:<seed>} pairs. Each run gets a fresh directory under the system temporary
 * directory, removed afterwards.
 */
final class SimFingerprints {

    private SimFingerprints() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        System.setErr(new PrintStream(OutputStream.nullOutputStream())); // the engines' logs
        Path base = Files.createTempDirectory("vigil-sim-fingerprints");
        try {
            for (String arg : args) {
                int colon = arg.lastIndexOf(':');
                if (colon < 1) {
                    throw new IllegalArgumentException("expected <profile>:<seed>, got '" + arg + "'");
                }
                SimProfile profile = SimProfile.named(arg.substring(0, colon));
                long seed = Long.parseLong(arg.substring(colon + 1));
                Path root = base.resolve(profile.name() + "-" + seed);
                out.println("begin " + profile.name() + " " + seed);
                Simulation.Result r = new Simulation(seed, profile, root, true).run();
                out.println("run " + profile.name() + " " + seed + " " + r.events() + " " + r.fingerprint());
                delete(root);
            }
        } finally {
            delete(base);
            out.flush();
        }
    }

    static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
