package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.core.internal.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wrong input typed into a running node's shell (over SSH, as an admin would): the command fails, its message
 * names the problem, and the cluster document is left exactly as it was. The same node is driven through
 * {@code bin/vigil} as a script would (no terminal): JSON status, exit statuses, help, and a log without stack
 * traces for rejected commands.
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
            // the node's local admin key, as an admin sets it up once (docs/cli.md)
            Sh.ok(home().resolve("bin/vigil-admin-key").toString(), "--local");
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

    private static Path home() {
        return lab.dir().resolve(NODE);
    }

    private static VigilCli.Result vigil(String... args) {
        VigilCli.Result r = VigilCli.run(home(), Map.of(), args);
        WebCluster.log("shell-errors: bin/vigil %s -> %s", String.join(" ", args), r);
        return r;
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

    @Test
    void vigilStatusJsonWorksWithoutATerminal() throws Exception {
        VigilCli.Result r = vigil("status", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        // an independent, strict parser first: python's json module
        VigilCli.Result strict = VigilCli.exec(List.of("python3", "-c",
                "import json,sys; json.loads(open(sys.argv[1]).read()); print('valid')", writeTemp(r.out())), Map.of());
        assertThat(strict.out()).as(strict.toString()).contains("valid");
        Map<String, Object> status = Json.parseObject(r.out());
        assertThat(status).containsKeys("schema", "time", "node", "incarnation", "documentVersion", "maintenance", "health",
                "ready", "settled", "notReadyReasons", "quorum", "nodes", "paths", "groups", "fenceDevices", "lastFencing",
                "publicNetworkWatch", "recentFailures", "events");
        assertThat(status.get("schema")).isEqualTo("vigil-status/1");
        assertThat(status.get("node")).isEqualTo(NODE);
        assertThat(status.get("ready")).isEqualTo(true);
        assertThat(obj(status.get("health"))).containsEntry("state", "ok").containsEntry("exitCode", 0L);
        assertThat(obj(status.get("quorum"))).containsKeys("configured", "has", "detail");
        List<?> nodes = (List<?>) status.get("nodes");
        assertThat(nodes).hasSize(1);
        assertThat(obj(nodes.get(0))).containsEntry("name", NODE).containsEntry("self", true)
                .containsEntry("state", "online");
        List<?> groups = (List<?>) status.get("groups");
        Map<String, Object> web = groups.stream().map(ShellErrorsIT::obj).filter(g -> "web".equals(g.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no group web in " + groups));
        assertThat(web).containsEntry("role", "stopped").containsEntry("runningOn", List.of()).containsKeys("placement");
        Map<String, Object> server = obj(((List<?>) web.get("resources")).get(0));
        assertThat(server).containsEntry("name", "web-server").containsEntry("type", "process");
        assertThat((List<?>) status.get("events")).allSatisfy(e -> assertThat(obj(e))
                .containsKeys("time", "severity", "kind", "node", "subject", "message"));
    }

    @Test
    void vigilWrongArgumentIsRejectedWithOneLine() {
        long version = lab.documentVersion(NODE);
        VigilCli.Result r = vigil("switchover", "--wait", "5", "no-such-group", NODE);
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).as(r.toString()).isEmpty();
        assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n").contains("no group named 'no-such-group'")
                .contains("web");
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);

        VigilCli.Result option = vigil("status", "--no-such-option");
        assertThat(option.exit()).as(option.toString()).isEqualTo(3);
        assertThat(option.err().strip().lines()).as(option.toString()).hasSize(1);
        assertThat(option.err()).contains("--no-such-option");

        VigilCli.Result unknown = vigil("no-such-command");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(3);
        assertThat(unknown.err()).contains("no-such-command");
        assertThat(lab.documentVersion(NODE)).isEqualTo(version);
    }

    @Test
    void vigilPassesArgumentsAsGiven() {
        String command = "printf '%s\\n' \"$HOME\" ; echo {a} (b) [c] | cat # x\\y ~ & * ? ! ^ < > = + 1%2";
        VigilCli.Result add = vigil("resource-add", "web", "quoted", "process", "command=" + command, "check-timeout=2s");
        try {
            assertThat(add.exit()).as(add.toString()).isZero();
            Map<String, Object> doc = Json.parseObject(vigil("document").out());
            Object params = ((List<?>) doc.get("groups")).stream().map(ShellErrorsIT::obj)
                    .flatMap(g -> ((List<?>) g.get("resources")).stream().map(ShellErrorsIT::obj))
                    .filter(r -> "quoted".equals(r.get("name"))).findFirst().orElseThrow().get("params");
            assertThat(obj(params)).containsEntry("command", command).containsEntry("check-timeout", "2s");
        } finally {
            vigil("resource-remove", "quoted");
        }
    }

    @Test
    void vigilRefusesAKeyOthersMayRead() throws IOException {
        Path key = home().resolve("etc/vigil-cli.key");
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(key);
        try {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
            VigilCli.Result r = vigil("status");
            assertThat(r.exit()).as(r.toString()).isEqualTo(4);
            assertThat(r.out()).as(r.toString()).isEmpty();
            assertThat(r.err().strip()).as(r.toString()).contains(key.toString()).contains("644").contains("chmod 600");
        } finally {
            Files.setPosixFilePermissions(key, before);
        }
        VigilCli.Result ok = vigil("status");
        assertThat(ok.exit()).as("with the key back at 0600: %s", ok).isNotEqualTo(4);
    }

    @Test
    void vigilHelpPrintsTheCommands() {
        VigilCli.Result help = vigil("help");
        assertThat(help.exit()).as(help.toString()).isZero();
        assertThat(help.out()).contains("vigil:status").contains("vigil:switchover").contains("vigil:bring-in")
                .contains("Moves a running group to another node");
        VigilCli.Result usage = vigil("--help");
        assertThat(usage.exit()).as(usage.toString()).isZero();
        assertThat(usage.out()).contains("Exit status").contains("vigil:status");
        VigilCli.Result one = vigil("help", "switchover");
        assertThat(one.exit()).as(one.toString()).isZero();
        assertThat(one.out()).contains("SYNTAX").contains("--wait").doesNotContain("\u001b[");
    }

    @Test
    void vigilStatusExitsDegradedInMaintenanceMode() {
        VigilCli.Result on = vigil("maintenance", "on");
        assertThat(on.exit()).as(on.toString()).isZero();
        try {
            VigilCli.Result json = vigil("status", "--json");
            assertThat(json.exit()).as(json.toString()).isEqualTo(1);
            Map<String, Object> health = obj(Json.parseObject(json.out()).get("health"));
            assertThat(health.get("state")).isEqualTo("degraded");
            assertThat((List<?>) health.get("reasons")).anySatisfy(x -> assertThat(x.toString()).contains("maintenance"));
            VigilCli.Result text = vigil("status");
            assertThat(text.exit()).as(text.toString()).isEqualTo(1);
            assertThat(text.out()).contains("MAINTENANCE MODE");
        } finally {
            assertThat(vigil("maintenance", "off").exit()).isZero();
        }
        assertThat(vigil("status").exit()).isZero();
    }

    @Test
    void vigilCannotConnectIsItsOwnStatus() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free again once closed: nothing listens there
        }
        VigilCli.Result r = VigilCli.run(home(), Map.of("VIGIL_PORT", Integer.toString(closed)), "status");
        assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains("cannot connect").contains(Integer.toString(closed));

        VigilCli.Result badUser = VigilCli.run(home(), Map.of(), "-u", "nobody-here", "status");
        assertThat(badUser.exit()).as(badUser.toString()).isEqualTo(4);
    }

    @Test
    void rejectedCommandIsOneWarnLineWithoutStackTrace() throws Exception {
        Path log = home().resolve("data/log/karaf.log");
        long before = Files.size(log);
        assertThat(vigil("bring-in", "no-such-group").exit()).isEqualTo(3);
        assertThat(lab.cli(NODE, "vigil:maintenance sideways").exit()).isNotZero();
        String added = "";
        for (int i = 0; i < 50 && !added.contains("vigil:maintenance rejected"); i++) { // the log is written asynchronously
            Lab.sleep(200);
            added = Files.readString(log).substring((int) before);
        }
        assertThat(added).contains("WARN").contains("vigil:bring-in rejected").contains("no group named 'no-such-group'")
                .contains("vigil:maintenance rejected").contains("sideways");
        assertThat(added).doesNotContain("ERROR").doesNotContain("Exception caught while executing command")
                .doesNotContain("\tat ").doesNotContain("IllegalArgumentException");
        assertThat(added.lines().filter(l -> l.contains("rejected"))).hasSize(2);
    }

    private static String writeTemp(String text) throws java.io.IOException {
        Path f = Files.createTempFile(lab.dir(), "status", ".json");
        Files.writeString(f, text);
        return f.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }
}
