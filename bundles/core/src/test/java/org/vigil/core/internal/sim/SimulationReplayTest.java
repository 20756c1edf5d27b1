package org.vigil.core.internal.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seed that CI reports must replay on any workstation: the same seeds of every build profile, run in two
 * separate JVMs ({@link SimFingerprints}), give the same runs, event for event. A JVM salts the iteration
 * order of {@code Set.of}/{@code Map.copyOf} and draws identity hash codes anew on every start; anything of
 * that kind that decides what the engine does, or in which order, shows up here as a different trace.
 */
class SimulationReplayTest {

    /** Seeds of every profile the build runs; each of them ran differently in two JVMs before the fix. */
    private static final List<String> RUNS = List.of("safe:1", "safe:2", "split:7", "split:1234", "safe-quorum:3",
            "split-quorum:5", "hasty-cleanup:4", "lease-ping:7", "lease-ping:19");
    private static final long FORK_TIMEOUT_SECONDS = 180;

    @TempDir
    Path dir;

    @Test
    void aSeedReplaysEventForEventInAnotherJvm() throws Exception {
        Process a = fork("a");
        Process b = fork("b");
        Map<String, Run> first = results(a, "a");
        Map<String, Run> second = results(b, "b");
        List<String> differ = new ArrayList<>();
        for (String key : RUNS) {
            Run x = first.get(key);
            Run y = second.get(key);
            if (x == null || y == null) {
                differ.add(key + ": missing from the output of JVM " + (x == null ? "a" : "b"));
            } else if (x.events != y.events || x.fingerprint != y.fingerprint) {
                differ.add(describe(key, x, y));
            }
        }
        if (!differ.isEmpty()) {
            fail(differ.size() + " of " + RUNS.size() + " seeds ran differently in two JVMs:\n"
                    + String.join("\n", differ));
        }
    }

    private Process fork(String name) throws IOException {
        Path tmp = Files.createDirectories(dir.resolve(name));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                SimFingerprints.class.getName()));
        cmd.addAll(RUNS);
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private Map<String, Run> results(Process p, String name) throws Exception {
        if (!p.waitFor(FORK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("JVM " + name + " did not finish the seeds within " + FORK_TIMEOUT_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            fail("JVM " + name + " exited with " + p.exitValue() + ": "
                    + Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8));
        }
        Map<String, Run> out = new LinkedHashMap<>();
        List<String> trace = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name + ".out"), StandardCharsets.UTF_8)) {
            if (line.startsWith("begin ")) {
                trace = new ArrayList<>();
            } else if (line.startsWith("run ")) {
                String[] f = line.split(" ");
                out.put(f[1] + ":" + f[2], new Run(Long.parseLong(f[3]), Long.parseLong(f[4]), trace));
            } else {
                trace.add(line);
            }
        }
        return out;
    }

    /** @return the seed, profile, both fingerprints and the first trace line that differs, with the replay command */
    private static String describe(String key, Run x, Run y) {
        int colon = key.lastIndexOf(':');
        SimProfile profile = SimProfile.named(key.substring(0, colon));
        long seed = Long.parseLong(key.substring(colon + 1));
        StringBuilder b = new StringBuilder("  seed ").append(seed).append(" (profile ").append(profile.name())
                .append("): JVM a ran ").append(x.events).append(" events (fingerprint ").append(x.fingerprint)
                .append("), JVM b ").append(y.events).append(" (fingerprint ").append(y.fingerprint).append(")\n");
        int n = Math.min(x.trace.size(), y.trace.size());
        for (int k = 0; k <= n; k++) {
            String l = k < x.trace.size() ? x.trace.get(k) : "(end of the run)";
            String m = k < y.trace.size() ? y.trace.get(k) : "(end of the run)";
            if (!l.equals(m)) {
                b.append("    first differing trace line, #").append(k + 1).append(":\n      a: ").append(l)
                        .append("\n      b: ").append(m).append('\n');
                break;
            }
        }
        return b.append("    replay: ").append(Simulation.replayCommand(profile, seed)).toString();
    }

    private record Run(long events, long fingerprint, List<String> trace) {
    }
}
