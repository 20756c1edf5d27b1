package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9's control-byte trial on two real nodes: three groups ({@code --max-restarts 0}) whose program prints
 * 4,000 control bytes and fails at its first start. The first node bans all three and carries their failure
 * notes in its heartbeats; the groups run on the other node. The heartbeats must keep fitting the path (no
 * node may declare the other lost: that would start the groups twice), every group must run on exactly one
 * node throughout, {@code vigil:status} must show no control character, and the whole output must stay in the
 * resource's state directory (the resource's own log) and, escaped, in the node's log.
 */
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class HeartbeatBudgetIT {

    private static final int OFFSET = 160; // AlertsIT has 130
    private static final int CONTROL_BYTES = 4000;
    private static final String[] GROUPS = {"noisy1", "noisy2", "noisy3"};

    private static Lab lab;
    private static GroupProcessWatch watch;
    private static Path script;

    @BeforeAll
    static void startNodes() throws IOException {
        Path dist = Prerequisites.require();
        lab = Lab.setUp("hb-budget", 2, Prerequisites.intProperty("vigil.system.sshBase", 8301) + OFFSET,
                Prerequisites.intProperty("vigil.system.udpBase", 7301) + OFFSET, dist);
        try {
            Files.write(lab.dir().resolve("control-bytes.bin"), controlBytes());
            for (String g : GROUPS) {
                Files.deleteIfExists(lab.dir().resolve(g + ".failed-once")); // left by an earlier run
            }
            script = lab.dir().resolve("fail-once.sh");
            Files.writeString(script, """
                    #!/bin/sh
                    # $1: the lab directory. The first start of each group prints control bytes and fails.
                    m="$1/$VIGIL_GROUP.failed-once"
                    if [ ! -e "$m" ]; then : >"$m"; cat "$1/control-bytes.bin"; exit 1; fi
                    while :; do sleep 1; done
                    """);
            watch = new GroupProcessWatch(script);
            lab.start("node1", "node2");
            lab.awaitOnline("node1", "node2", Duration.ofSeconds(30));
            lab.awaitOnline("node2", "node1", Duration.ofSeconds(30));
        } catch (RuntimeException | Error | IOException e) {
            e.addSuppressed(new AssertionError("node logs:\n" + lab.logTails()));
            stopNodes();
            throw e;
        }
    }

    @AfterAll
    static void stopNodes() {
        if (watch != null) {
            watch.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** 4,000 bytes cycling through the C0 controls (but newline, carriage return and escape) and DEL. */
    static byte[] controlBytes() {
        byte[] cycle = new byte[29];
        int n = 0;
        for (int c = 1; c < 0x20; c++) {
            if (c != '\n' && c != '\r' && c != 0x1b) {
                cycle[n++] = (byte) c;
            }
        }
        cycle[n] = 0x7f;
        byte[] out = new byte[CONTROL_BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = cycle[i % cycle.length];
        }
        return out;
    }

    @Test
    void failureNotesOfAnyOutputNeverCostTheHeartbeatOrShowControlCharacters() throws IOException {
        long t0 = System.currentTimeMillis();
        StringBuilder define = new StringBuilder();
        for (String g : GROUPS) {
            define.append("vigil:group-add --max-restarts 0 ").append(g).append('\n')
                    .append("vigil:resource-add ").append(g).append(' ').append(g).append("-prog process 'command=/bin/sh ")
                    .append(script).append(' ').append(lab.dir()).append("'\n");
        }
        String out = lab.cliOk("node1", define.toString().strip());
        assertThat(out).doesNotContain("Error");

        // Each group fails at its first start on one node (banned there, its note carrying the output) and runs on the other.
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < end && !(watch.now().keySet().containsAll(Set.of(GROUPS))
                && watch.now().values().stream().allMatch(n -> n.size() == 1))) {
            Lab.sleep(200);
        }
        assertThat(watch.now()).as("where each group's program runs").containsOnlyKeys(GROUPS);
        Map<String, Set<String>> placed = watch.now();
        WebCluster.log("hb-budget: groups run at %s", placed);
        Lab.sleep(10_000); // many dead times (600 ms): a node whose heartbeats did not fit would be lost by now

        assertThat(watch.now()).as("each group still runs where it was placed").isEqualTo(placed);
        assertThat(watch.overlaps()).as("sampled instants at which a group ran on both nodes").isEmpty();
        for (String node : new String[] {"node1", "node2"}) {
            String log = karafLog(node);
            assertThat(log).as("%s's log: no node declared lost", node).doesNotContain("[node-lost]");
            String status = lab.cliOk(node, "vigil:status");
            WebCluster.log("hb-budget: vigil:status of %s:%n%s", node, status);
            assertThat(controlCharacters(status)).as("control characters in vigil:status of %s", node).isZero();
            String other = node.equals("node1") ? "node2" : "node1";
            assertThat(status).as("%s sees %s online", node, other).containsPattern("(?m)^\\s+" + other + "\\s+online\\b");
        }
        for (String g : GROUPS) {
            String ranOn = placed.get(g).iterator().next();
            String failedOn = ranOn.equals("node1") ? "node2" : "node1";
            String status = lab.cliOk(ranOn, "vigil:status");
            assertThat(status).as("status shows %s banned on %s with a short, escaped note", g, failedOn)
                    .containsPattern("BANNED on " + failedOn + ": start of " + g + "-prog failed.{0,400}\\\\x");
            Path output = lab.dir().resolve(failedOn).resolve("data/vigil/resources/" + g + "-prog/output.log");
            assertThat(Files.readAllBytes(output)).as("the whole output in %s", output).containsSequence(controlBytes());
            String log = karafLog(failedOn); // its pattern keeps 500 characters of a message: the start of the output
            assertThat(log).as("%s's log has the failure with its output escaped", failedOn)
                    .contains("start of " + g + "-prog failed").contains("last output: \\x01\\x02\\x03\\x04");
            assertThat(controlCharacters(log)).as("raw control characters in %s's log", failedOn).isZero();
        }
        WebCluster.log("hb-budget: passed in %d ms", System.currentTimeMillis() - t0);
    }

    private static String karafLog(String node) throws IOException {
        return Files.readString(lab.dir().resolve(node).resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
    }

    /** @return how many control characters (but newline, carriage return and tab) the text holds */
    static long controlCharacters(String s) {
        return s.chars().filter(c -> (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || (c >= 0x7f && c <= 0x9f)).count();
    }
}
