package org.vigil.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;

import javax.inject.Inject;
import javax.security.auth.login.AppConfigurationEntry;

import org.apache.karaf.bundle.core.BundleInfo;
import org.apache.karaf.bundle.core.BundleService;
import org.apache.karaf.bundle.core.BundleState;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The distribution as shipped: it boots, the standard Vigil bundles run, nothing failed, and a fresh
 * node exposes nothing: the shell listens on the loopback only and no user can log in.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DistributionBootIT extends VigilTestSupport {

    private static final List<String> STANDARD_BUNDLES =
            List.of("vigil-api", "vigil-core", "vigil-heartbeat-udp", "vigil-resource-process");

    /** Registered once the boot features are installed. */
    @Inject
    @Filter(timeout = 120_000)
    protected BootFinished bootFinished;

    @Inject
    protected FeaturesService featuresService;

    @Inject
    protected BundleService bundleService;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    @Inject
    protected ServiceComponentRuntime scr;

    @Test
    public void standardVigilBundlesAreActive() {
        for (String artifactId : STANDARD_BUNDLES) {
            waitFor(() -> artifactId + " to be Active, is " + describe(vigilBundle(artifactId)), WAIT, () -> {
                Bundle b = vigilBundle(artifactId);
                return b != null && b.getState() == Bundle.ACTIVE;
            });
        }
    }

    @Test
    public void noBundleAndNoVigilComponentFailed() {
        standardVigilBundlesAreActive();
        List<String> failed = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            BundleInfo info = bundleService.getInfo(b);
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            BundleState state = info.getState();
            boolean ok = fragment ? state == BundleState.Resolved : state == BundleState.Active;
            if (!ok) {
                failed.add(b.getBundleId() + " " + b.getSymbolicName() + " " + state
                        + " " + bundleService.getDiag(b).trim());
            }
        }
        for (ComponentDescriptionDTO component : scr.getComponentDescriptionDTOs()) {
            if (!component.bundle.symbolicName.startsWith("org.vigil")) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(component)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    failed.add("component " + component.name + " failed to activate: " + c.failure);
                }
            }
        }
        assertTrue("failed bundles or components:\n  " + String.join("\n  ", failed), failed.isEmpty());
    }

    @Test
    public void vigilFeatureSetIsInstalledAndNothingNetworkFacingBeyondTheShell() throws Exception {
        for (String feature : List.of("vigil-core", "vigil-heartbeat-udp", "vigil-resource-process", "ssh", "scr")) {
            assertTrue(feature + " installed", featuresService.isInstalled(featuresService.getFeature(feature)));
        }
        // JMX/RMI, HTTP and the web console would open ports: none of them is part of a node.
        for (String feature : List.of("management", "http", "pax-web-http", "webconsole", "http-whiteboard")) {
            org.apache.karaf.features.Feature f = featuresService.getFeature(feature);
            assertFalse(feature + " must not be installed", f != null && featuresService.isInstalled(f));
        }
    }

    @Test
    public void shellCommandsRunAndTheirOutputIsCaptured() {
        String features = executeCommand("feature:list -i");
        assertTrue("feature:list -i shows vigil-core:\n" + features, features.contains("vigil-core"));
        CommandOutput unknown = runCommand("feature:no-such-command", java.time.Duration.ofSeconds(1));
        assertFalse("an unknown command fails", unknown.succeeded());
    }

    @Test
    public void sshListensOnLoopbackOnly() throws Exception {
        Configuration shell = configurationAdmin.getConfiguration("org.apache.karaf.shell", null);
        Dictionary<String, Object> props = shell.getProperties();
        assertNotNull("org.apache.karaf.shell configuration", props);
        int port = Integer.parseInt(String.valueOf(props.get("sshPort")).trim());

        // The server answers on the loopback...
        String[] banner = new String[1];
        waitFor(() -> "SSH banner on 127.0.0.1:" + port + ", got " + banner[0], WAIT, () -> {
            banner[0] = sshBanner(new InetSocketAddress("127.0.0.1", port));
            return banner[0] != null && banner[0].startsWith("SSH-2.0-");
        });

        // ...and on no other address of this host.
        List<InetAddress> others = nonLoopbackAddresses();
        for (InetAddress address : others) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 2000);
                fail("SSH port " + port + " accepts connections on " + address.getHostAddress());
            } catch (ConnectException | SocketTimeoutException expected) {
                // refused (or filtered): not listening there
            }
        }
        System.err.println("sshd on 127.0.0.1:" + port + " only; checked refused on " + others);
        assertEquals("sshHost in etc/org.apache.karaf.shell.cfg", "127.0.0.1", String.valueOf(props.get("sshHost")).trim());
    }

    @Test
    public void theKarafRealmHasNoUsers() {
        List<String> checked = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (JaasRealm realm : services(JaasRealm.class)) {
            if (!"karaf".equals(realm.getName())) {
                continue;
            }
            for (AppConfigurationEntry entry : realm.getEntries()) {
                // Karaf wraps each module in its ProxyLoginModule and names the real one in an option.
                Object wrapped = entry.getOptions().get(ProxyLoginModule.PROPERTY_MODULE);
                String module = wrapped != null ? wrapped.toString() : entry.getLoginModuleName();
                BackingEngineFactory factory = services(BackingEngineFactory.class).stream()
                        .filter(f -> f.getModuleClass().equals(module))
                        .findFirst().orElse(null);
                if (factory == null) {
                    continue; // the audit modules hold no users
                }
                BackingEngine engine = factory.build(entry.getOptions());
                checked.add(module);
                for (UserPrincipal user : engine.listUsers()) {
                    users.add(user.getName() + " (" + module + ")");
                }
            }
        }
        assertTrue("the users.properties and keys.properties modules were checked: " + checked,
                checked.contains("org.apache.karaf.jaas.modules.properties.PropertiesLoginModule")
                        && checked.contains("org.apache.karaf.jaas.modules.publickey.PublickeyLoginModule"));
        assertEquals("users in the karaf realm", Collections.emptyList(), users);
    }

    private <T> List<T> services(Class<T> type) {
        List<T> result = new ArrayList<>();
        try {
            for (ServiceReference<T> ref : bundleContext.getServiceReferences(type, null)) {
                T service = bundleContext.getService(ref);
                if (service != null) {
                    result.add(service);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return result;
    }

    /** @return the first line the server sends, or null when nothing answers */
    private static String sshBanner(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 2000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n' && line.length() < 255) {
                line.append((char) c);
            }
            return line.toString().trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
        List<InetAddress> result = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                // link-local IPv6 needs a scope and says nothing more than the global addresses do
                if (!a.isLoopbackAddress() && !(a instanceof Inet6Address && a.isLinkLocalAddress())) {
                    result.add(a);
                }
            }
        }
        return result;
    }

    private static String describe(Bundle b) {
        return b == null ? "not installed" : stateName(b.getState());
    }
}
