package org.vigil.itest;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;

import javax.inject.Inject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The command fence agent is not booted: an admin installs {@code vigil-fence-command} where a fence device is
 * configured. A device (factory configuration {@code org.vigil.fence}, as {@code etc/org.vigil.fence-<name>.cfg}
 * would make it) that names the agent before it is installed shows as such; once installed, {@code vigil:fence}
 * runs the device's real command: exit 0 is NODE_OFF, exit 1 a failure with the command's words; after
 * {@code feature:uninstall} the device says its agent is missing again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FenceCommandHotDeployIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-fence-command";

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Inject
    protected ConfigurationAdmin configAdmin;

    private Configuration device(String offCommand, Configuration existing) throws Exception {
        Configuration c = existing != null ? existing : configAdmin.createFactoryConfiguration("org.vigil.fence", "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("name", "bmc9");
        p.put("type", "command");
        p.put("nodes", "node9");
        p.put("off-command", offCommand);
        p.put("status-command", "/bin/echo Chassis Power is off");
        c.update(p);
        return c;
    }

    @Test
    public void theAgentArrivesWithItsFeatureAndFencesThroughTheConfiguredCommand() throws Exception {
        assertFalse(FEATURE + " is not booted", featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor("vigil:fence-types answers", WAIT, () -> runCommand("vigil:fence-types").succeeded());
        assertTrue(executeCommand("vigil:fence-types").contains("no fence agent installed"));

        Configuration c = device("/bin/true", null);
        waitFor(() -> "the device listed without its agent; got: " + runCommand("vigil:fence-types").text(), WAIT,
                () -> runCommand("vigil:fence-types").text().contains("bmc9") && runCommand("vigil:fence-types").text()
                        .contains("agent 'command' is not installed"));

        executeAsAdmin("feature:install " + FEATURE);
        waitFor(() -> "the agent and the device ok; got: " + runCommand("vigil:fence-types").text(), WAIT, () -> {
            String t = runCommand("vigil:fence-types").text();
            return t.contains("command: runs an admin-given command") && t.contains("fences node9: ok");
        });
        String types = executeCommand("vigil:fence-types");
        assertTrue(types, types.matches("(?s).*off-command\\s+.*\\(required\\).*"));

        String off = executeCommand("vigil:fence node9");
        assertTrue(off, off.contains("node9: NODE_OFF") && off.contains("off-command exited 0"));
        String status = executeCommand("vigil:fence --status node9");
        assertTrue(status, status.contains("node9: NODE_OFF (level 1 (bmc9): Chassis Power is off)"));
        String st = executeCommand("vigil:status");
        assertTrue(st, st.contains("Fence devices: bmc9 (command, level 1, fences node9): ok"));
        assertTrue(st, st.contains("Quorum: not configured"));

        device("/bin/false", c);
        waitFor("the device takes the new command", WAIT, () -> {
            CommandOutput r = runCommand("vigil:fence node9");
            return !r.succeeded() && r.text().contains("off-command exited 1");
        });
        CommandOutput self = runCommand("vigil:fence-confirm " + NODE_NAME);
        assertFalse("confirming this node itself is refused", self.succeeded());
        assertTrue(self.text() + self.failure(), String.valueOf(self.failure()).contains("is this node"));
        CommandOutput unknown = runCommand("vigil:fence nodeX");
        assertFalse(unknown.succeeded());
        assertTrue(String.valueOf(unknown.failure()), String.valueOf(unknown.failure()).contains("no fence device is configured for nodeX"));

        executeAsAdmin("feature:uninstall " + FEATURE);
        waitFor(() -> "the agent gone; got: " + runCommand("vigil:fence-types").text(), WAIT,
                () -> runCommand("vigil:fence-types").text().contains("agent 'command' is not installed"));
        c.delete();
        waitFor("the device gone", WAIT, () -> runCommand("vigil:fence-types").text().contains("none configured"));
    }
}
