package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wrong input typed into a running node's shell (over SSH, as an admin would): the command fails, its message
 * names the problem, and the cluster document is left exactly as it was.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class ShellErrorsIT {

    private static final String NODE = "node1";
    private static Lab lab;
    private static int port;

    @BeforeAll
    static void startNode() {
        Path dist = Prerequisites.require();
        int offset = 20;
        port = Prerequisites.intProperty("vigil.system.webPort", 18301) + offset;
        lab = Lab.setUp("shell-errors", 1, Prerequisites.intProperty("vigil.system.sshBase", 8301) + offset,
                Prerequisites.intProperty("vigil.system.udpBase", 7301) + offset, dist);
        try {
            lab.start(NODE);
            lab.addWebGroup(NODE, "web", port); // brought out: nothing runs
        } catch (RuntimeException | Error e) {
            e.addSuppressed(new AssertionError("node log:\n" + lab.logTails()));
            lab.close();
            throw e;
        }
    }

    @AfterAll
    static void stopNode() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Runs the command, expects it to fail, and checks that the cluster document did not change. */
    private static String failing(String command) {
        long version = lab.documentVersion(NODE);
        String document = lab.cliOk(NODE, "vigil:document");
        Lab.Result r = lab.cli(NODE, command);
        WebCluster.log("shell-errors: '%s' -> exit %d: %s", command, r.exit(), r.output().strip());
        assertThat(r.exit()).as("exit status of '%s'", command).isNotZero();
        assertThat(r.output()).as("output of '%s'", command).contains("Error executing command");
        assertThat(lab.documentVersion(NODE)).as("document version after '%s'", command).isEqualTo(version);
        assertThat(lab.cliOk(NODE, "vigil:document")).as("document after '%s'", command).isEqualTo(document);
        return r.output();
    }

    @Test
    void switchoverOfAnUnknownGroupNamesIt() {
        String out = failing("vigil:switchover --wait 5 no-such-group " + NODE);
        assertThat(out).contains("no group named 'no-such-group'").contains("web");
    }

    @Test
    void unknownParameterIsNamedWithTheValidOnes() {
        String out = failing("vigil:resource-add web extra process command=true colour=blue");
        assertThat(out).contains("colour").contains("not a parameter").contains("command");
    }

    @Test
    void missingRequiredParameterIsNamed() {
        String out = failing("vigil:resource-add web extra process check-http=http://127.0.0.1:" + port + "/");
        assertThat(out).contains("command").contains("required");
    }

    @Test
    void badParameterValueIsNamed() {
        String out = failing("vigil:resource-add web extra process command=true check-timeout=soon");
        assertThat(out).contains("check-timeout").contains("soon");
    }

    @Test
    void unknownNodeForBringInIsNamed() {
        String out = failing("vigil:bring-in web no-such-node");
        assertThat(out).contains("no-such-node").contains("not online");
    }

    @Test
    void documentIsIntactAfterwards() {
        String doc = lab.cliOk(NODE, "vigil:document");
        assertThat(doc).contains("web-server").doesNotContain("\"extra\"");
        assertThat(lab.cliOk(NODE, "vigil:status")).contains("web").doesNotContain("NOT READY");
        Lab.Result types = lab.cli(NODE, "vigil:resource-types process");
        assertThat(types.output()).contains("check-http");
    }
}
