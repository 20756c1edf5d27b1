package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failover lab benchmark ({@code bench/lab-failover.sh}, issue 11) measures what it claims and leaves nothing
 * behind: one crash trial of real nodes in namespaces with keepalived beside them gives a served client on both
 * addresses, a row per system in its CSV and the tables; an interrupted run (SIGTERM while a trial runs, node1's JVM frozen) removes its
 * namespaces and every process it started.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LabBenchIT {

    private static Path dist;
    private static Path bench;

    @BeforeAll
    static void prerequisites() {
        dist = Prerequisites.require();
        Prerequisites.requireTools("LabBenchIT", "network namespaces",
                List.of("ip", "keepalived", "curl", "ping", "arping"), List.of(),
                "iproute2, keepalived, curl, iputils-ping, iputils-arping");
        bench = Prerequisites.scripts().getParent().resolve("bench/lab-failover.sh");
    }

    @Test
    void aCrashTrialMeasuresVigilAndKeepalivedInTheSameRunAndLeavesNothingBehind() throws Exception {
        Path out = Prerequisites.labsDir().resolve("lab-bench-crash");
        Process p = start(out, "--trials", "1", "--scenarios", "crash", "--setups", "off", "--observe", "4");
        String log = finish(p, Duration.ofMinutes(8), out.resolve("bench.out"));
        assertThat(p.exitValue()).as("the bench's exit status; its output:%n%s", log).isZero();

        List<String> rows = Files.readAllLines(out.resolve("trials.csv"));
        assertThat(rows.get(0)).startsWith("setup,scenario,trial,system,fault_ms");
        assertThat(rows).as("one row per system for the one crash trial").hasSize(3);
        for (String sys : List.of("vigil", "keepalived")) {
            Map<String, String> r = row(rows, sys);
            assertThat(r.get("served_after")).as("%s served the client again after the crash", sys).isEqualTo("1");
            assertThat(Long.parseLong(r.get("outage_ms"))).as("%s: the client saw an outage", sys).isPositive();
            assertThat(Long.parseLong(r.get("samples"))).as("%s: address samples taken", sys).isGreaterThan(100);
        }
        assertThat(Long.parseLong(row(rows, "vigil").get("served_ms"))).as("Vigil: from the crash to served again")
                .isPositive();
        assertThat(Files.readString(out.resolve("results.md"))).contains("### Quorum off", "crash", "ratio to keepalived");
        assertThat(Files.readString(out.resolve("results.json"))).contains("\"ratio_to_keepalived\"");
        assertNothingLeft(p.pid(), out);
    }

    @Test
    void anInterruptedRunRemovesItsNamespacesAndEveryProcessItStarted() throws Exception {
        // freeze10: the bench is interrupted while node1's JVM is stopped; it must resume it to stop it
        Path out = Prerequisites.labsDir().resolve("lab-bench-interrupted");
        NetnsTwoNodes.deleteTree(out.resolve("raw")); // an earlier run's samples must not start the clock
        Process p = start(out, "--trials", "1", "--scenarios", "freeze10", "--setups", "off", "--observe", "4");
        Path logFile = out.resolve("bench.out");
        Path samples = out.resolve("raw/off-freeze10-1.addr"); // the trial's sampler runs: the fault follows at once
        long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < end && p.isAlive() && !Files.exists(samples)) {
            Lab.sleep(200);
        }
        assertThat(p.isAlive()).as("the bench runs its trial; output so far:%n%s", read(logFile)).isTrue();
        Lab.sleep(4000); // inside the trial: node1's JVM frozen (10 s), the client polling, the sampler running
        List<Long> started = startedPids(out);
        assertThat(started).as("pids of the nodes, keepalived and the web servers").isNotEmpty();
        // SIGTERM, not SIGINT: a JVM's child may inherit SIGINT ignored; the bench traps both the same way
        Sh.ok("kill", "-TERM", Long.toString(p.pid()));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the bench ends when interrupted").isTrue();
        assertThat(p.exitValue()).as("exit status when interrupted; output:%n%s", read(logFile)).isEqualTo(143);
        for (long pid : started) {
            assertThat(running(pid)).as("process %d the bench started is gone", pid).isFalse();
        }
        assertNothingLeft(p.pid(), out);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static Process start(Path out, String... args) throws IOException {
        Files.createDirectories(out);
        List<String> argv = new ArrayList<>(List.of(bench.toString(), "--out", out.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(out.resolve("bench.out").toFile());
        pb.environment().put("VIGIL_DIST", dist.toString());
        return pb.start();
    }

    /** Waits for the bench (on timeout: stops it, which cleans up); @return its output */
    private static String finish(Process p, Duration timeout, Path log) throws Exception {
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            Sh.run("kill", "-TERM", Long.toString(p.pid()));
            p.waitFor(120, TimeUnit.SECONDS);
            throw new AssertionError("the bench did not end within " + timeout.toMinutes() + " min:\n" + read(log));
        }
        return read(log);
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The CSV row of {@code system}, by column name. */
    private static Map<String, String> row(List<String> rows, String system) {
        String[] head = rows.get(0).split(",", -1);
        for (String line : rows.subList(1, rows.size())) {
            String[] f = line.split(",", -1);
            if (f.length == head.length && f[3].equals(system)) {
                Map<String, String> m = new java.util.HashMap<>();
                for (int i = 0; i < head.length; i++) {
                    m.put(head[i], f[i]);
                }
                return m;
            }
        }
        throw new AssertionError("no row for " + system + " in:\n" + String.join("\n", rows));
    }

    /** Pids the bench recorded: the node JVMs (lab/jvm.pid) and keepalived and the web servers (run/*.bench-pid). */
    private static List<Long> startedPids(Path out) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (Path f : List.of(out.resolve("nodes/node1/lab/jvm.pid"), out.resolve("nodes/node2/lab/jvm.pid"))) {
            if (Files.exists(f)) {
                pids.add(Long.parseLong(Files.readString(f).trim().split("\\s+")[0]));
            }
        }
        try (var s = Files.list(out.resolve("run"))) {
            for (Path f : s.filter(x -> x.getFileName().toString().endsWith(".bench-pid")).toList()) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
        }
        return pids;
    }

    /** True while the process runs: not gone, and not a zombie waiting for init to reap it (it ended). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertNothingLeft(long benchPid, Path out) throws IOException {
        String prefix = "vbl" + benchPid + "-";
        assertThat(Sh.run("ip", "netns", "list").output()).as("namespaces of the bench").doesNotContain(prefix);
        for (String n : List.of("node1", "node2")) {
            Path f = out.resolve("nodes").resolve(n).resolve("lab/jvm.pid");
            if (Files.exists(f)) {
                long pid = Long.parseLong(Files.readString(f).trim().split("\\s+")[0]);
                assertThat(running(pid)).as("%s's JVM %d is stopped", n, pid).isFalse();
            }
        }
    }
}
