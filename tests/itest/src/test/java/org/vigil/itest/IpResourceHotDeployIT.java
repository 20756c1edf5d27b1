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

/**
 * The virtual IP type is not part of a node's boot set: an admin installs it at runtime, as a feature, from
 * the distribution's own system/ repository (offline). Done here the admin's way, through the shell:
 * {@code feature:install vigil-resource-ip} makes {@code vigil:resource-types} list "ip" with its
 * parameters, {@code feature:uninstall} takes it away, and the core is never restarted.
 *
 * <p>The feature:* commands are guarded by Karaf's command ACLs (etc/org.apache.karaf.command.acl.feature.cfg:
 * the admin role) and are invisible to a session without a subject, so they run as a user with that role.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IpResourceHotDeployIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-resource-ip";

    /** A type's first line in vigil:resource-types: "ip - summary". */
    private static final Pattern IP_LISTED = Pattern.compile("(?m)^ip - ");

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Test
    public void ipTypeArrivesWithItsFeatureAndLeavesWithIt() throws Exception {
        assertFalse(FEATURE + " is not booted", featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor("vigil:resource-types answers", WAIT, () -> runCommand("vigil:resource-types").succeeded());
        assertFalse("ip listed before install", IP_LISTED.matcher(executeCommand("vigil:resource-types")).find());
        Bundle core = vigilBundle("vigil-core");
        long coreId = core.getBundleId();

        executeAsAdmin("feature:install " + FEATURE);

        waitFor(() -> "vigil:resource-types ip to answer; got: " + runCommand("vigil:resource-types ip").text(), WAIT,
                () -> runCommand("vigil:resource-types ip").succeeded());
        String listing = executeCommand("vigil:resource-types ip");
        assertTrue(listing, IP_LISTED.matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  address\\s+\\(required\\) ").matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  interface\\s+\\(required\\) ").matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  arp-count\\s+.*\\[default: 3]$").matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  dad-timeout\\s+.*\\[default: 200ms]$").matcher(listing).find());
        assertTrue(listing, Pattern.compile("(?m)^  dad-wait\\s+.*\\[default: 2s]$").matcher(listing).find());
        for (String optional : new String[] {"hostname", "dns-server", "dns-key", "dns-ttl", "label"}) {
            assertTrue(optional + " in\n" + listing, Pattern.compile("(?m)^  " + optional + "\\s+[A-Z]").matcher(listing).find());
        }
        assertTrue(IP_LISTED.matcher(executeCommand("vigil:resource-types")).find());
        assertEquals(FEATURE + " bundle state", Bundle.ACTIVE, vigilBundle(FEATURE).getState());
        assertCoreUntouched(coreId);

        executeAsAdmin("feature:uninstall " + FEATURE);

        waitFor(() -> "ip gone from vigil:resource-types; got: " + runCommand("vigil:resource-types").text(), WAIT,
                () -> !IP_LISTED.matcher(runCommand("vigil:resource-types").text()).find());
        assertFalse("ip after uninstall", runCommand("vigil:resource-types ip").succeeded());
        assertNull(FEATURE + " bundle after uninstall", vigilBundle(FEATURE));
        assertCoreUntouched(coreId);
    }

    private void assertCoreUntouched(long coreId) {
        Bundle core = vigilBundle("vigil-core");
        assertEquals("vigil-core is the same bundle", coreId, core.getBundleId());
        assertEquals("vigil-core state", "Active", stateName(core.getState()));
    }
}
