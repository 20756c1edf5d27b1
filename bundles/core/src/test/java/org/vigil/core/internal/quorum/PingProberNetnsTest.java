package org.vigil.core.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.CommandResult;
import org.vigil.core.internal.exec.CommandRunner;

/**
 * The continuous prober against the real {@code ping} in two network namespaces of this test, cabled by a veth
 * pair (TEST-NET-2 only): the prober's side is 198.51.100.1, the far side holds .2 (answers all along) and .3 (its
 * address is deleted during the test). Names carry this JVM's pid; both namespaces (and with them the veth pair)
 * are deleted after each test, also when it fails.
 */
class PingProberNetnsTest {

    private static final Duration CMD = Duration.ofSeconds(10);
    private static final long INTERVAL = 50;
    private static final long SILENCE = 400;
    private static final String ME = "198.51.100.1";
    private static final String STAYS = "198.51.100.2";
    private static final String GOES = "198.51.100.3";

    private final String id = "vpp" + ProcessHandle.current().pid();
    private final String nsA = id + "a";
    private final String nsB = id + "b";
    private final List<String> made = new ArrayList<>();
    private PingProber prober;

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    private static CommandResult sh(String... cmd) {
        CommandResult r = CommandRunner.run(List.of(cmd), CMD);
        if (!r.succeeded()) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.describeFailure());
        }
        return r;
    }

    /** Skips with the reason (or fails with CI=true) when not root or ip/ping are missing. */
    private static void requireEnvironment() {
        List<String> missing = new ArrayList<>();
        if (!"0".equals(CommandRunner.run(List.of("id", "-u"), CMD).stdout().strip())) {
            missing.add("root (network namespaces)");
        }
        for (String t : List.of("ip", "ping")) {
            if (CommandRunner.run(List.of("sh", "-c", "command -v " + t), CMD).exitCode() != 0) {
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String reason = "needs " + String.join(", ", missing) + " (scripts/test.sh installs iproute2 and iputils-ping)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true and this test cannot run: " + reason);
        }
        Assumptions.assumeTrue(false, reason);
    }

    /** Deletes the namespaces a killed run of this test left behind (only when the pid in their name is dead). */
    private static void sweepLeftovers() {
        for (String line : CommandRunner.run(List.of("ip", "netns", "list"), CMD).stdout().split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(vpp(\\d+)[ab])\\b.*").matcher(line.strip());
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                CommandRunner.run(List.of("ip", "netns", "del", m.group(1)), CMD);
            }
        }
    }

    private void lab() {
        sweepLeftovers();
        for (String ns : List.of(nsA, nsB)) {
            CommandRunner.run(List.of("ip", "netns", "del", ns), CMD); // a leftover of a killed run with this pid
            sh("ip", "netns", "add", ns);
            made.add(ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
        }
        sh("ip", "-n", nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", nsB);
        sh("ip", "-n", nsA, "addr", "add", ME + "/24", "dev", "v0");
        sh("ip", "-n", nsB, "addr", "add", STAYS + "/24", "dev", "v1");
        sh("ip", "-n", nsB, "addr", "add", GOES + "/24", "dev", "v1");
        sh("ip", "-n", nsA, "link", "set", "v0", "up");
        sh("ip", "-n", nsB, "link", "set", "v1", "up");
    }

    @AfterEach
    void tearDown() {
        try {
            if (prober != null) {
                prober.close();
            }
        } finally {
            for (String ns : made) {
                CommandRunner.run(List.of("ip", "netns", "del", ns), CMD);
            }
        }
    }

    private static List<ProcessHandle> pingsOfThisJvm() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/ping") || c.endsWith("/ip")).orElse(false)).toList();
    }

    @Test
    void answersAreSeenWithinAFewPeriodsSilenceAfterTheWindowAKilledPingRestartsAndCloseEndsEveryPing() {
        requireEnvironment();
        lab();
        prober = new PingProber(List.of("ip", "netns", "exec", nsA, "ping"), PingProberNetnsTest::now);
        PingRule rule = new PingRule(List.of(STAYS), Map.of("node1", GOES), "node1", INTERVAL, SILENCE);
        prober.configure(Set.of(STAYS, GOES), INTERVAL);

        // Both answer, and keep answering: each within the reach window (4 periods) at a reading.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() ->
                now() - prober.lastAnswer(STAYS) <= rule.reachWindow() && now() - prober.lastAnswer(GOES) <= rule.reachWindow());
        assertThat(prober.pids()).containsOnlyKeys(STAYS, GOES);
        assertThat(prober.problem()).isNull();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> rule.decide(Set.of("node2"), Set.of("node1"), prober, now()).verdict() == PingRule.Verdict.LOSE);
        assertThat(rule.decide(Set.of("node2"), Set.of("node1"), prober, now()).detail()).contains(GOES + " answered");

        // node1's public address goes away: silent once the window passed, never before; .2 still answers.
        long gone = now();
        sh("ip", "-n", nsB, "addr", "del", GOES + "/24", "dev", "v1");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> rule.decide(Set.of("node2"), Set.of("node1"), prober, now()).verdict() == PingRule.Verdict.WIN);
        assertThat(now() - gone).isGreaterThanOrEqualTo(SILENCE - 2 * INTERVAL);
        assertThat(now() - prober.lastAnswer(GOES)).isGreaterThanOrEqualTo(SILENCE);
        assertThat(prober.pids()).containsKey(GOES); // still probing it

        // A killed ping is started again and answers again.
        long killed = prober.pids().get(STAYS);
        long killedAt = now();
        ProcessHandle.of(killed).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
            Long pid = prober.pids().get(STAYS);
            return pid != null && pid != killed && prober.lastAnswer(STAYS) > killedAt + 5;
        });

        // Close ends every ping it started.
        List<Long> pids = new ArrayList<>(prober.pids().values());
        assertThat(pids).hasSize(2);
        prober.close();
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("ping %d after close", pid).isFalse());
        assertThat(pingsOfThisJvm()).isEmpty();
        assertThat(prober.pids()).isEmpty();
    }

    @Test
    void reconfiguringEndsThePingsOfAddressesNoLongerWantedAndAChangedPeriodRestartsThem() {
        requireEnvironment();
        lab();
        prober = new PingProber(List.of("ip", "netns", "exec", nsA, "ping"), PingProberNetnsTest::now);
        prober.configure(Set.of(STAYS, GOES), INTERVAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> prober.pids().size() == 2);
        Map<String, Long> before = prober.pids();
        prober.configure(Set.of(STAYS), INTERVAL);
        assertThat(ProcessHandle.of(before.get(GOES)).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(prober.pids()).containsExactly(Map.entry(STAYS, before.get(STAYS)));
        prober.configure(Set.of(STAYS), 100);
        assertThat(ProcessHandle.of(before.get(STAYS)).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> prober.pids().containsKey(STAYS));
        long pid = prober.pids().get(STAYS);
        assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().arguments()).map(List::of).orElse(List.of()))
                .containsSubsequence("-i", "0.1");
    }

    @Test
    void aPingThatCannotBeStartedIsAProblemNamingPingAndItsPackage() {
        prober = new PingProber(List.of("vigil-no-such-ping"), PingProberNetnsTest::now);
        prober.configure(Set.of("192.0.2.1"), INTERVAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> prober.problem() != null);
        assertThat(prober.problem()).contains("ping cannot be started", "vigil-no-such-ping", "iputils-ping");
        assertThat(prober.pids()).isEmpty();
    }
}
