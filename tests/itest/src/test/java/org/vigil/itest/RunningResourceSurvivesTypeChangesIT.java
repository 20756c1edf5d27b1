package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;

/**
 * The core sees resource types come and go with their features, and a resource that runs while its
 * type's bundle is uninstalled or updated keeps running (unmanaged, no stop, no failover) and is
 * re-adopted by a probe when the type is back: the same program, never restarted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RunningResourceSurvivesTypeChangesIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-resource-process";
    private static final EnumSet<FeaturesService.Option> NO_REFRESH =
            EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);
    /** A command line no other process on the machine has, so the test finds exactly its program. */
    private static final String MARKER = "sleep 7" + (System.nanoTime() % 100000 + 100000);
    private static final Pattern STATE = Pattern.compile("svc\\s+process\\s+(?:itest: (\\w+)|stopped)");

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @After
    public void removeGroup() {
        runCommand("vigil:bring-out demo");
        waitFor("the demo program to stop", WAIT, () -> programPid().isEmpty());
        runCommand("vigil:group-remove demo --force");
    }

    @Test
    public void aRunningResourceOutlivesItsTypeBeingUninstalledAndUpdated() throws Exception {
        waitFor(() -> "the core to list type process: " + runCommand("vigil:resource-types").text(), WAIT,
                () -> runCommand("vigil:resource-types").text().contains("process - "));
        executeCommand("vigil:group-add demo");
        executeCommand("vigil:resource-add demo svc process \"command=exec " + MARKER + "\"");
        waitFor(() -> "svc running: " + status(), WAIT, () -> "RUNNING".equals(svcState()));
        long pid = programPid().orElseThrow(() -> new AssertionError("no process '" + MARKER + "' found"));

        featuresService.uninstallFeature(FEATURE, NO_REFRESH);
        waitFor(() -> "the core to drop type process: " + runCommand("vigil:resource-types").text(), WAIT,
                () -> !runCommand("vigil:resource-types").text().contains("process - "));
        waitFor(() -> "svc unmanaged: " + status(), WAIT, () -> "UNMANAGED".equals(svcState()));
        Thread.sleep(3000); // a stop or failover would happen now if it were going to
        assertEquals("svc is still unmanaged", "UNMANAGED", svcState());
        assertTrue("the group shows why nothing is done: " + status(), status().contains("unmanaged on itest"));
        assertEquals("the same program still runs", Optional.of(pid), programPid());

        featuresService.installFeature(FEATURE, NO_REFRESH);
        waitFor(() -> "svc re-adopted: " + status(), WAIT, () -> "RUNNING".equals(svcState()));
        assertEquals("re-adopted by a probe, not restarted", Optional.of(pid), programPid());

        Bundle agent = vigilBundle("vigil-resource-process");
        agent.update();
        waitFor(() -> "svc running after bundle:update: " + status(), WAIT, () -> "RUNNING".equals(svcState()));
        Thread.sleep(2000);
        assertEquals("still running after bundle update", "RUNNING", svcState());
        assertEquals("the update did not restart the program", Optional.of(pid), programPid());
        assertFalse("no failure was recorded: " + status(), status().contains("BANNED"));
    }

    private String status() {
        return runCommand("vigil:status").text();
    }

    private String svcState() {
        Matcher m = STATE.matcher(status());
        return m.find() ? (m.group(1) == null ? "STOPPED" : m.group(1)) : null;
    }

    private static Optional<Long> programPid() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.endsWith(MARKER)).orElse(false))
                .map(ProcessHandle::pid).findFirst();
    }
}
