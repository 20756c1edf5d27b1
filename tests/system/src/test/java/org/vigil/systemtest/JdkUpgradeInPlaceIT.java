package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK package is upgraded in place under running nodes. Two real nodes run on a copy of this JDK; once
 * they are up, the copy's {@code lib/jspawnhelper} (what 17 launches every program through by default) is
 * replaced by a broken file, as a package upgrade replaces it under the running JVMs. Then the demo web
 * service is brought in: it must start, and no node may ban the group.
 */
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class JdkUpgradeInPlaceIT {

    private static Path jdk;
    private static WebCluster cluster;

    @AfterAll
    static void cleanUp() throws IOException {
        try {
            if (cluster != null) {
                WebCluster.log("jdk-upgrade: service watch: %s", cluster.watch.stats());
                cluster.close();
            }
        } finally {
            if (jdk != null) {
                Sh.run(Duration.ofSeconds(60), List.of("rm", "-rf", "--one-file-system", jdk.toString()));
            }
        }
    }

    @Test
    void programsStillStartAfterTheSpawnHelperIsReplacedUnderTheRunningNodes() throws Exception {
        Prerequisites.require();
        jdk = Prerequisites.labsDir().resolve("jdk-upgrade-jdk");
        Sh.run(Duration.ofSeconds(60), List.of("rm", "-rf", "--one-file-system", jdk.toString()));
        Files.createDirectories(jdk.getParent());
        Path home = Path.of(System.getProperty("java.home")).toRealPath();
        Sh.Result copy = Sh.run(Duration.ofSeconds(120), List.of("cp", "-a", home.toString(), jdk.toString()));
        assertThat(copy.exit()).as("copy of %s: %s", home, copy.output()).isZero();
        Path helper = jdk.resolve("lib/jspawnhelper");
        assertThat(helper).as("this JDK launches programs through a spawn helper").exists();

        cluster = startOnlyTheNodes(jdk);
        for (String n : List.of("node1", "node2")) {
            Path exe = Path.of("/proc/" + cluster.lab.jvmPid(n) + "/exe").toRealPath();
            assertThat(exe).as("%s runs on the copied JDK", n).startsWith(jdk.toRealPath());
        }

        // The upgrade: a new file takes the helper's name (dpkg installs the new file, then renames it over).
        Path broken = jdk.resolve("lib/jspawnhelper.dpkg-new");
        Files.writeString(broken, "not the spawn helper this JVM was built with\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(broken, helper, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        WebCluster.log("jdk-upgrade: replaced %s under the running nodes", helper);

        cluster.lab.addWebGroup("node1", WebCluster.GROUP, cluster.port);
        Lab.Result in = cluster.lab.cli("node1", "vigil:bring-in --wait 30 " + WebCluster.GROUP);
        WebCluster.log("jdk-upgrade: %s", in.output().strip().replace('\n', ' '));
        String runs = cluster.awaitSingleActive(Duration.ofSeconds(30));
        WebCluster.log("jdk-upgrade: the service runs on %s", runs);
        for (String n : List.of("node1", "node2")) {
            String status = cluster.lab.cliOk(n, "vigil:status");
            assertThat(status).as("vigil:status on %s", n).doesNotContainIgnoringCase("banned")
                    .doesNotContain("spawn helper");
        }
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
    }

    /** Two nodes on the given JDK, up and seeing each other; no group yet (WebCluster would bring one in). */
    private static WebCluster startOnlyTheNodes(Path javaHome) {
        return WebCluster.startNodes("jdk-upgrade", 230, Map.of("JAVA_HOME", javaHome.toString()));
    }
}
