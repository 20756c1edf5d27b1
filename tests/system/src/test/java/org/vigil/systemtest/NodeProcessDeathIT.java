package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Only the JVM of the active node dies (kill -9); the machine, and so every process the node started, would
 * keep running if nothing tied them to the JVM. The lifeline must kill the demo service at once, the other
 * node must take over, and the service must never run on both.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class NodeProcessDeathIT {

    /** How long the service process may outlive its node's JVM. */
    static final long LIFELINE_LIMIT_MILLIS = 2000;

    private static WebCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = WebCluster.start("jvm-death", 10);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            WebCluster.log("jvm-death: service watch: %s; changes: %s", cluster.watch.stats(), cluster.watch.changes());
            cluster.close();
        }
    }

    @Test
    void theServiceDiesWithItsNodeAndTheOtherNodeTakesOver() {
        String active = cluster.awaitSingleActive(Duration.ofSeconds(10));
        String other = WebCluster.other(active);
        List<Long> pids = cluster.watch.pidsOn(active);
        assertThat(pids).as("service processes on %s", active).isNotEmpty();
        WebCluster.log("jvm-death: the service runs on %s (pids %s, node JVM %d); kill -9 of that JVM only", active, pids,
                cluster.lab.jvmPid(active));

        long killedAt = cluster.lab.killJvm(active);
        long goneAt = -1;
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            if (pids.stream().noneMatch(NodeProcessDeathIT::exists)) {
                goneAt = System.currentTimeMillis();
                break;
            }
            Lab.sleep(10);
        }
        assertThat(goneAt).as("the service processes %s of %s end after its JVM was killed", pids, active).isPositive();
        WebCluster.log("jvm-death: the service process of %s was gone %d ms after its JVM was killed", active,
                goneAt - killedAt);
        assertThat(goneAt - killedAt).as("ms the service outlived its node's JVM").isLessThanOrEqualTo(LIFELINE_LIMIT_MILLIS);

        long servedAt = cluster.awaitServedBy(other, Duration.ofSeconds(15));
        assertThat(servedAt).as("%s runs the service after the JVM of %s died", other, active).isPositive();
        WebCluster.log("jvm-death: %s serves %d ms after the JVM of %s was killed", other, servedAt - killedAt, active);
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
    }

    /** @return true while the process exists and is not a zombie */
    private static boolean exists(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            int paren = stat.lastIndexOf(')');
            return paren > 0 && "ZX".indexOf(stat.charAt(paren + 2)) < 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
