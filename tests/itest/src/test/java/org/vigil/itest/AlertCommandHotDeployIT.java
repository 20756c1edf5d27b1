package org.vigil.itest;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * Alert sinks are not booted: an admin installs {@code vigil-alert-command} (or mail, webhook, syslog) at runtime.
 * A sink (factory configuration {@code org.vigil.alert}, as {@code etc/org.vigil.alert-<name>.cfg} would make it)
 * whose type is not installed shows so in {@code vigil:alerts}; once installed, {@code vigil:alerts --test} runs the
 * real script with the Pacemaker alert variables; a bad key is named; after {@code feature:uninstall} the sink says
 * its type is missing again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AlertCommandHotDeployIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-alert-command";
    /** vigil:alerts pads the sink's name to 16 characters, then a space. */
    private static final String PAD = " ".repeat(12);

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Inject
    protected ConfigurationAdmin configAdmin;

    private void sink(Configuration c, Path script, String timeout) throws Exception {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("name", "pager");
        p.put("type", "command");
        p.put("path", script.toString());
        p.put("recipient", script.resolveSibling("alerts.log").toString());
        p.put("kinds", "test, node-lost");
        p.put("timeout", timeout);
        c.update(p);
    }

    @Test
    public void theSinkArrivesWithItsFeatureAndRunsThePacemakerStyleScript() throws Exception {
        assertFalse(FEATURE + " is not booted", featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor("vigil:alerts answers", WAIT, () -> runCommand("vigil:alerts").succeeded());
        assertTrue(executeCommand("vigil:alerts").contains("Alert sink types installed: none"));

        Path dir = Files.createTempDirectory("vigil-alert-it");
        Path script = dir.resolve("alert.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$CRM_alert_kind $CRM_alert_node $VIGIL_alert_kind $CRM_alert_desc\" >> "
                + "\"$CRM_alert_recipient\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path log = dir.resolve("alerts.log");

        Configuration c = configAdmin.createFactoryConfiguration("org.vigil.alert", "?");
        sink(c, script, "10");
        waitFor(() -> "the sink listed without its type; got: " + runCommand("vigil:alerts").text(), WAIT,
                () -> runCommand("vigil:alerts").text().contains("pager" + PAD + "NOT RUNNING: type: sink type 'command' "
                        + "is not installed"));

        executeAsAdmin("feature:install " + FEATURE);
        waitFor(() -> "the sink running; got: " + runCommand("vigil:alerts").text(), WAIT,
                () -> runCommand("vigil:alerts").text().contains("pager" + PAD + "delivered 0"));
        executeCommand("vigil:alerts --test");
        waitFor("the script ran", WAIT, () -> Files.exists(log));
        String line = Files.readString(log, StandardCharsets.UTF_8).strip();
        assertTrue(line, line.equals("vigil " + NODE_NAME + " test test alert from " + NODE_NAME + " (vigil:alerts --test)"));
        String alerts = executeCommand("vigil:alerts");
        assertTrue(alerts, alerts.contains("pager" + PAD + "delivered 1, failed 0, timed out 0, dropped 0"));
        String st = executeCommand("vigil:status");
        assertTrue(st, st.contains("Alert sinks: pager 1 delivered"));

        sink(c, script, "0");
        waitFor(() -> "the bad timeout named; got: " + runCommand("vigil:alerts").text(), WAIT,
                () -> runCommand("vigil:alerts").text().contains("pager" + PAD + "NOT RUNNING: timeout: 0 must be from 1 to 300"));

        sink(c, script, "10");
        waitFor("the sink running again", WAIT, () -> runCommand("vigil:alerts").text().contains("pager" + PAD + "delivered 0"));
        executeAsAdmin("feature:uninstall " + FEATURE);
        waitFor(() -> "the type gone; got: " + runCommand("vigil:alerts").text(), WAIT,
                () -> runCommand("vigil:alerts").text().contains("sink type 'command' is not installed"));
        c.delete();
        waitFor("the sink gone", WAIT, () -> runCommand("vigil:alerts").text().contains("No alert sink"));
    }
}
