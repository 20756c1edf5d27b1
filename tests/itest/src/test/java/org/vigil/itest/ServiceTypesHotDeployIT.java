package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
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
 * The shared disk, web root, file share and print spooler types are not part of a node's boot set: an admin installs each at runtime,
 * offline, from the distribution's system/ repository, through the shell. {@code feature:install} makes
 * {@code vigil:resource-types} list the type with its parameters (required ones and defaults as the admin
 * sees them); {@code feature:uninstall} takes it away; the core is never restarted.
 *
 * <p>The feature:* commands are guarded by Karaf's command ACLs (the admin role), so they run as a user
 * with that role.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServiceTypesHotDeployIT extends VigilTestSupport {

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Test
    public void diskTypeArrivesWithItsFeatureAndLeavesWithIt() throws Exception {
        hotDeploy("vigil-resource-disk", "disk", List.of("device", "mount-point"), List.of(
                "fstype\\s+.*\\[default: ext4]", "options\\s+[A-Z]", "fsck\\s+.*\\[default: true]",
                "reservation\\s+.*\\[default: true]", "reservation-timeout\\s+.*\\[default: 10s]",
                "stop-grace\\s+.*\\[default: 5s]"));
    }

    @Test
    public void webrootTypeArrivesWithItsFeatureAndLeavesWithIt() throws Exception {
        hotDeploy("vigil-resource-webroot", "webroot", List.of("root", "listen"), List.of(
                "index\\s+.*\\[default: index.html]", "nginx\\s+.*\\[default: nginx]",
                "user\\s+.*\\[default: www-data]", "access-log\\s+.*\\[default: off]"));
    }

    @Test
    public void fileshareTypeArrivesWithItsFeatureAndLeavesWithIt() throws Exception {
        hotDeploy("vigil-resource-fileshare", "fileshare", List.of("path", "listen", "share"), List.of(
                "passdb\\s+[A-Z]", "valid-users\\s+[A-Z]", "read-only\\s+.*\\[default: false]",
                "guest-ok\\s+.*\\[default: false]", "guest-account\\s+.*\\[default: nobody]",
                "smbd\\s+.*\\[default: smbd]"));
    }

    @Test
    public void spoolerTypeArrivesWithItsFeatureAndLeavesWithIt() throws Exception {
        hotDeploy("vigil-resource-spooler", "spooler", List.of("spool-directory", "listen"), List.of(
                "allow\\s+.*\\[default: @LOCAL]", "host-names\\s+[A-Z]", "cupsd\\s+.*\\[default: cupsd]",
                "log-level\\s+.*\\[default: warn]"));
    }

    private void hotDeploy(String feature, String type, List<String> required, List<String> optional)
            throws Exception {
        Pattern listed = Pattern.compile("(?m)^" + type + " - ");
        assertFalse(feature + " is not booted", featuresService.isInstalled(featuresService.getFeature(feature)));
        waitFor("vigil:resource-types answers", WAIT, () -> runCommand("vigil:resource-types").succeeded());
        assertFalse(type + " listed before install", listed.matcher(executeCommand("vigil:resource-types")).find());
        long coreId = vigilBundle("vigil-core").getBundleId();

        executeAsAdmin("feature:install " + feature);

        waitFor(() -> "vigil:resource-types " + type + " to answer; got: " + runCommand("vigil:resource-types " + type)
                .text(), WAIT, () -> runCommand("vigil:resource-types " + type).succeeded());
        String listing = executeCommand("vigil:resource-types " + type);
        assertTrue(listing, listed.matcher(listing).find());
        for (String name : required) {
            assertTrue(name + " required in\n" + listing,
                    Pattern.compile("(?m)^  " + name + "\\s+\\(required\\) [A-Z]").matcher(listing).find());
        }
        for (String line : optional) {
            assertTrue(line + " in\n" + listing, Pattern.compile("(?m)^  " + line).matcher(listing).find());
        }
        assertTrue(listed.matcher(executeCommand("vigil:resource-types")).find());
        assertEquals(feature + " bundle state", Bundle.ACTIVE, vigilBundle(feature).getState());
        assertCoreUntouched(coreId);

        executeAsAdmin("feature:uninstall " + feature);

        waitFor(() -> type + " gone from vigil:resource-types; got: " + runCommand("vigil:resource-types").text(), WAIT,
                () -> !listed.matcher(runCommand("vigil:resource-types").text()).find());
        assertFalse(type + " after uninstall", runCommand("vigil:resource-types " + type).succeeded());
        assertNull(feature + " bundle after uninstall", vigilBundle(feature));
        assertCoreUntouched(coreId);
    }

    private void assertCoreUntouched(long coreId) {
        Bundle core = vigilBundle("vigil-core");
        assertEquals("vigil-core is the same bundle", coreId, core.getBundleId());
        assertEquals("vigil-core state", "Active", stateName(core.getState()));
    }
}
