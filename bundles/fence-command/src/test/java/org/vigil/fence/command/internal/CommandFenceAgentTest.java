package org.vigil.fence.command.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.resource.OperationContext;

/** Runs the agent with real programs: a script that records every call and answers as told, and ipmitool. */
class CommandFenceAgentTest {

    @TempDir
    Path dir;

    private final CommandFenceAgent agent = new CommandFenceAgent();
    private Path script;
    private Path calls;

    private static OperationContext budget(long ms) {
        long end = System.nanoTime() / 1_000_000 + ms;
        return new OperationContext() {
            @Override
            public Duration timeout() {
                return Duration.ofMillis(ms);
            }

            @Override
            public Duration remaining() {
                return Duration.ofMillis(end - System.nanoTime() / 1_000_000);
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }

    @BeforeEach
    void script() throws Exception {
        calls = dir.resolve("calls");
        script = dir.resolve("fake-bmc");
        // Records its arguments; then answers as the file "answer" says: an exit code and a line of output.
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> " + calls + "\nread code line < " + dir.resolve("answer")
                + "\necho \"$line\"\n[ \"$code\" = sleep ] && exec sleep 30\nexit $code\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        answer("0 Chassis Power Control: Down/Off");
    }

    private void answer(String s) throws Exception {
        Files.writeString(dir.resolve("answer"), s + "\n");
    }

    private Map<String, String> params(String... extra) {
        java.util.Map<String, String> p = new java.util.HashMap<>(Map.of("off-command", script + " -H bmc-{node} chassis power off",
                "status-command", script + " -H bmc-{node} chassis power status", "timeout", "30"));
        for (int i = 0; i < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        return p;
    }

    @Test
    void exitZeroMeansTheNodeIsOffAndTheNodeNameIsSubstituted() throws Exception {
        FenceResult r = agent.fence("node2", FenceAction.OFF, params(), budget(10_000));
        assertThat(r.outcome()).isEqualTo(FenceResult.Outcome.NODE_OFF);
        assertThat(r.message()).contains("Down/Off");
        assertThat(Files.readAllLines(calls)).containsExactly("-H bmc-node2 chassis power off");
    }

    @Test
    void anyOtherExitIsAFailureWithTheCommandsOwnWords() throws Exception {
        answer("1 Error: Unable to establish IPMI v2 / RMCP+ session");
        FenceResult r = agent.fence("node2", FenceAction.OFF, params(), budget(10_000));
        assertThat(r.outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(r.message()).contains("exited 1", "Unable to establish IPMI");
    }

    @Test
    void aHungCommandIsKilledAtTheTimeoutAndFails() throws Exception {
        answer("sleep hanging");
        long t0 = System.nanoTime();
        FenceResult r = agent.fence("node2", FenceAction.OFF, params("timeout", "1"), budget(10_000));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(r.message()).contains("timed out");
        assertThat(ms).isLessThan(8_000);
    }

    @Test
    void theCoresBudgetBoundsTheCommandToo() throws Exception {
        answer("sleep hanging");
        long t0 = System.nanoTime();
        FenceResult r = agent.fence("node2", FenceAction.OFF, params(), budget(700));
        assertThat(r.outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(8_000);
    }

    @Test
    void statusReadsTheOutput() throws Exception {
        answer("0 Chassis Power is off");
        assertThat(agent.fence("node1", FenceAction.STATUS, params(), budget(10_000)).outcome()).isEqualTo(FenceResult.Outcome.NODE_OFF);
        answer("0 Chassis Power is on");
        assertThat(agent.fence("node1", FenceAction.STATUS, params(), budget(10_000)).outcome()).isEqualTo(FenceResult.Outcome.NODE_ON);
        answer("1 no answer from the BMC");
        assertThat(agent.fence("node1", FenceAction.STATUS, params(), budget(10_000)).outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(Files.readAllLines(calls)).allMatch(l -> l.equals("-H bmc-node1 chassis power status"));
    }

    @Test
    void aRebootWithoutRebootCommandFailsAndSaysWhichParameterIsMissing() {
        FenceResult r = agent.fence("node1", FenceAction.REBOOT, params(), budget(10_000));
        assertThat(r.outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(r.message()).startsWith("reboot-command: not configured");
    }

    @Test
    void aMissingProgramIsNamedByParameterAndFencingFailsWithoutRunningAnything() {
        Map<String, String> p = params("off-command", "no-such-fence-tool-4711 -H {node} power off");
        assertThat(agent.validate(p)).singleElement().asString().startsWith("off-command: program 'no-such-fence-tool-4711' not found on PATH");
        assertThat(agent.fence("node1", FenceAction.OFF, p, budget(10_000)).outcome()).isEqualTo(FenceResult.Outcome.FAILED);
        assertThat(Files.exists(calls)).isFalse();
    }

    @Test
    void badParametersAreNamed() {
        assertThat(agent.validate(Map.of())).singleElement().asString().startsWith("off-command: required");
        assertThat(agent.validate(params("timeout", "soon"))).singleElement().asString().startsWith("timeout:");
        assertThat(agent.validate(params("timeout", "0"))).singleElement().asString().startsWith("timeout:");
        assertThat(agent.validate(params("status-off-pattern", "(off"))).singleElement().asString().startsWith("status-off-pattern:");
        assertThat(agent.validate(params())).isEmpty();
    }

    @Test
    void aRealIpmitoolCommandLineResolvesAndRuns() {
        boolean present = CommandFenceAgent.findProgram("ipmitool") != null;
        Assumptions.assumeTrue(present || "true".equals(System.getenv("CI")), "ipmitool is not installed (apt-get install ipmitool)");
        // ipmitool -V talks to no BMC; it proves the agent finds and runs the real tool and reads its output.
        Map<String, String> p = Map.of("off-command", "ipmitool -I lanplus -H bmc-{node} -U admin -E chassis power off",
                "status-command", "ipmitool -V", "status-off-pattern", "ipmitool version", "timeout", "10");
        assertThat(agent.validate(p)).isEmpty();
        FenceResult r = agent.fence("node1", FenceAction.STATUS, p, budget(10_000));
        assertThat(r.outcome()).as(r.message()).isEqualTo(FenceResult.Outcome.NODE_OFF);
        assertThat(r.message()).startsWith("ipmitool version");
        assertThat(CommandFenceAgent.argv("ipmitool -H bmc-{node} chassis power off", "node1"))
                .isEqualTo(List.of("ipmitool", "-H", "bmc-node1", "chassis", "power", "off"));
    }
}
