package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real nodes run the demo web service. It is switched over to the node it does not prefer, where it then
 * sticks. Its program is killed there (kill -9): the node restarts it in place, and the service must come back
 * on that same node, never on the other, not even for an instant.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class RestartInPlaceStickyIT {

    private static WebCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = WebCluster.start("sticky-restart", 240);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            WebCluster.log("sticky-restart: service watch: %s; changes: %s", cluster.watch.stats(), cluster.watch.changes());
            cluster.close();
        }
    }

    @Test
    void aKilledProgramComesBackOnTheSameNodeAndNeverOnTheOther() {
        String first = cluster.awaitSingleActive(Duration.ofSeconds(10));
        String active = WebCluster.other(first);
        cluster.lab.cliOk(first, "vigil:switchover --wait 30 " + WebCluster.GROUP + " " + active);
        assertThat(cluster.awaitServedBy(active, Duration.ofSeconds(15))).as("served by %s after the switchover", active)
                .isPositive();
        Lab.sleep(2000); // the switchover request is cleared; from now on the group sticks to where it runs
        assertThat(cluster.awaitSingleActive(Duration.ofSeconds(10))).isEqualTo(active);

        List<Long> pids = cluster.watch.pidsOn(active);
        assertThat(pids).as("service processes on %s", active).isNotEmpty();
        long killedAt = System.currentTimeMillis();
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        }
        WebCluster.log("sticky-restart: killed the service (pids %s) on %s", pids, active);

        long servedAt = -1;
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            if (cluster.watch.pidsOn(active).stream().noneMatch(pids::contains)
                    && cluster.awaitServedBy(active, Duration.ofMillis(200)) > 0) {
                servedAt = System.currentTimeMillis();
                break;
            }
        }
        assertThat(servedAt).as("the service runs on %s again after its program was killed there", active).isPositive();
        WebCluster.log("sticky-restart: %s serves again %d ms after the kill", active, servedAt - killedAt);
        Lab.sleep(5000); // had the group been placed anew, the other node would have started it by now
        assertThat(cluster.watch.nodesSeenSince(killedAt))
                .as("nodes that ran the service from the kill until 5 s after it came back").containsExactly(active);
        assertThat(Http.servedBy(cluster.port)).isEqualTo(active);
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
        String status = cluster.lab.cliOk(active, "vigil:status");
        assertThat(status).as("vigil:status on %s", active).contains("runs on " + active);
    }
}
