package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.api.quorum.TieBreaker;

/**
 * The disk heartbeat is not booted: an admin installs {@code vigil-heartbeat-disk} at runtime, offline.
 * Its bundle resolves in the distribution (O_DIRECT through the JDK's com.sun.nio.file, the core's fence
 * message signer), {@code vigil:path-types} lists type disk with its parameters, the disk-poison fence
 * agent and the disk tie-breaker are registered, and {@code feature:uninstall} takes them all away while
 * the core stays the same bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DiskHeartbeatHotDeployIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-heartbeat-disk";

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Test
    public void diskPathTypeFenceAgentAndTieBreakerArriveWithTheFeatureAndLeaveWithIt() throws Exception {
        Pattern listed = Pattern.compile("(?m)^disk - ");
        assertFalse(FEATURE + " is not booted", featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor("vigil:path-types answers", WAIT, () -> runCommand("vigil:path-types").succeeded());
        assertFalse("disk listed before install", listed.matcher(executeCommand("vigil:path-types")).find());
        waitFor("the core's fence message signer", WAIT,
                () -> bundleContext.getServiceReference(FenceMessageSigner.class) != null);
        long coreId = vigilBundle("vigil-core").getBundleId();

        executeAsAdmin("feature:install " + FEATURE);

        waitFor(() -> "disk in vigil:path-types; got: " + runCommand("vigil:path-types").text(), WAIT,
                () -> listed.matcher(runCommand("vigil:path-types").text()).find());
        String listing = executeCommand("vigil:path-types");
        assertTrue(listing, Pattern.compile("(?m)^  device\\s+\\(required\\) [A-Z]").matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  interval-ms\\s+.*\\[default: 100]").matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  self-fence-timeout-ms\\s+.*\\[default: 5000]").matcher(listing).find());
        assertTrue(listing, listing.contains("heartbeats only"));
        Bundle disk = vigilBundle(FEATURE);
        assertEquals("bundle state", Bundle.ACTIVE, disk.getState());
        waitFor("disk-poison fence agent registered", WAIT, () -> registeredBy(disk, FenceAgent.class));
        waitFor("disk tie-breaker registered", WAIT, () -> registeredBy(disk, TieBreaker.class));
        assertEquals(coreId, vigilBundle("vigil-core").getBundleId());

        executeAsAdmin("feature:uninstall " + FEATURE);

        waitFor(() -> "disk gone from vigil:path-types; got: " + runCommand("vigil:path-types").text(), WAIT,
                () -> !listed.matcher(runCommand("vigil:path-types").text()).find());
        assertNull(FEATURE + " bundle after uninstall", vigilBundle(FEATURE));
        Bundle core = vigilBundle("vigil-core");
        assertEquals("vigil-core is the same bundle", coreId, core.getBundleId());
        assertEquals("Active", stateName(core.getState()));
    }

    private boolean registeredBy(Bundle b, Class<?> type) {
        try {
            for (ServiceReference<?> r : bundleContext.getServiceReferences(type.getName(), null) == null
                    ? new ServiceReference<?>[0] : bundleContext.getServiceReferences(type.getName(), null)) {
                if (r.getBundle() != null && r.getBundle().getBundleId() == b.getBundleId()) {
                    return true;
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return false;
    }
}
