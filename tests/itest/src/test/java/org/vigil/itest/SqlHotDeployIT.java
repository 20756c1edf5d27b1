package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.ServerSocket;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
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
 * The SQL types are not booted: {@code feature:install vigil-resource-sql} (offline, from system/) makes
 * {@code vigil:resource-types} list both {@code postgresql} and {@code mariadb} with their parameters, the
 * JDBC drivers embedded in the bundle load and run their connect path inside Karaf (a refused connection
 * comes back as an SQLException, not a missing class), and {@code feature:uninstall} takes both types away
 * without touching the core.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SqlHotDeployIT extends VigilTestSupport {

    private static final String FEATURE = "vigil-resource-sql";

    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Test
    public void sqlTypesArriveWithTheirFeatureAndLeaveWithIt() throws Exception {
        Pattern pg = Pattern.compile("(?m)^postgresql - ");
        Pattern maria = Pattern.compile("(?m)^mariadb - ");
        assertFalse(FEATURE + " is not booted", featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        waitFor("vigil:resource-types answers", WAIT, () -> runCommand("vigil:resource-types").succeeded());
        String before = executeCommand("vigil:resource-types");
        assertFalse("postgresql listed before install", pg.matcher(before).find());
        assertFalse("mariadb listed before install", maria.matcher(before).find());
        long coreId = vigilBundle("vigil-core").getBundleId();

        executeAsAdmin("feature:install " + FEATURE);

        for (String type : List.of("postgresql", "mariadb")) {
            waitFor(() -> "vigil:resource-types " + type + " to answer; got: "
                    + runCommand("vigil:resource-types " + type).text(), WAIT,
                    () -> runCommand("vigil:resource-types " + type).succeeded());
            String listing = executeCommand("vigil:resource-types " + type);
            for (String name : List.of("data-directory", "address", "monitor-user", "monitor-password-file")) {
                assertTrue(name + " required in\n" + listing,
                        Pattern.compile("(?m)^  " + name + "\\s+\\(required\\) [A-Z]").matcher(listing).find());
            }
            String port = type.equals("postgresql") ? "5432" : "3306";
            assertTrue("port default in\n" + listing,
                    Pattern.compile("(?m)^  port\\s+.*\\[default: " + port + "]").matcher(listing).find());
        }
        assertTrue(executeCommand("vigil:resource-types " + "mariadb").contains("[default: mysql]"));
        assertTrue(executeCommand("vigil:resource-types " + "postgresql").contains("[default: auto]"));
        Bundle sql = vigilBundle(FEATURE);
        assertEquals(FEATURE + " bundle state", Bundle.ACTIVE, sql.getState());
        assertDriverWorks(sql, "org.postgresql.Driver", "jdbc:postgresql://127.0.0.1:%d/postgres");
        assertDriverWorks(sql, "org.mariadb.jdbc.Driver", "jdbc:mariadb://127.0.0.1:%d/");
        assertCoreUntouched(coreId);

        executeAsAdmin("feature:uninstall " + FEATURE);

        waitFor(() -> "SQL types gone from vigil:resource-types; got: " + runCommand("vigil:resource-types").text(),
                WAIT, () -> {
                    String t = runCommand("vigil:resource-types").text();
                    return !pg.matcher(t).find() && !maria.matcher(t).find();
                });
        assertFalse(runCommand("vigil:resource-types postgresql").succeeded());
        assertNull(FEATURE + " bundle after uninstall", vigilBundle(FEATURE));
        assertCoreUntouched(coreId);
    }

    /** Loads the driver from the SQL bundle and connects to a closed port: a refusal, never a missing class. */
    private static void assertDriverWorks(Bundle bundle, String driverClass, String urlFormat) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Driver driver = (Driver) bundle.loadClass(driverClass).getDeclaredConstructor().newInstance();
        Properties p = new Properties();
        p.setProperty("user", "nobody");
        p.setProperty("password", "none");
        String url = String.format(urlFormat, port);
        try {
            driver.connect(url, p);
            fail(url + " connected to a closed port");
        } catch (SQLException expected) {
            // the driver ran its whole connect path and reported the refusal
        } catch (LinkageError e) {
            throw new AssertionError(driverClass + " does not resolve inside Karaf: " + e, e);
        }
    }

    private void assertCoreUntouched(long coreId) {
        Bundle core = vigilBundle("vigil-core");
        assertEquals("vigil-core is the same bundle", coreId, core.getBundleId());
        assertEquals("vigil-core state", "Active", stateName(core.getState()));
    }
}
