package org.vigil.itest;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.inject.Inject;
import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * What every Vigil integration test shares: the container (the built vigil-distribution tar.gz,
 * booted by Pax Exam in its own JVM), the node configuration written into it, and helpers that run
 * inside the container.
 *
 * <p>The container is configured as an admin would: {@code etc/org.vigil.node.cfg} with
 * {@code node.name = itest} and a cluster key (mode 0600, in target/). It runs offline against
 * the local Maven repository. Its runtime folder, with {@code data/log/karaf.log}, is kept under
 * {@code target/exam/<uuid>/} for debugging.
 *
 * <p>Configuration (system properties set by the pom): {@code vigil.distribution} (path of the tar.gz),
 * {@code vigil.localRepository}, {@code vigil.karafVersion}, {@code vigil.itest.dir} (the module's
 * target directory), {@code vigil.itest.sshPort} (optional; a free port otherwise).
 */
public abstract class VigilTestSupport {

    /** The node name written into the container's etc/org.vigil.node.cfg. */
    public static final String NODE_NAME = "itest";

    /** Default time to wait for something to happen in the container. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    /**
     * The Pax Exam configuration; runs in the test JVM (the "driver"), not in the container. Subclasses
     * that need more options override this and add to {@code super.config()}.
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        String distribution = requiredProperty("vigil.distribution");
        String localRepository = requiredProperty("vigil.localRepository");
        String karafVersion = requiredProperty("vigil.karafVersion");
        File targetDir = new File(System.getProperty("vigil.itest.dir", "target"));
        String sshPort = System.getProperty("vigil.itest.sshPort", "");
        if (sshPort.isBlank()) {
            sshPort = Integer.toString(freePort());
        }

        List<Option> options = new ArrayList<>();
        options.add(karafDistributionConfiguration()
                .frameworkUrl(new File(distribution).toURI().toString())
                .name("Vigil")
                .karafVersion(karafVersion)
                .unpackDirectory(new File(targetDir, "exam"))
                .useDeployFolder(false));
        options.add(keepRuntimeFolder());
        options.add(configureConsole().ignoreLocalConsole());
        options.add(logLevel(LogLevel.INFO));
        options.add(java17VmOptions(karafVersion));

        // Offline: everything the container installs comes from the local repository.
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""));
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots"));
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepository));
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.offline", "true"));

        // Its own SSH port, so a test run does not clash with a node running on this machine.
        options.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", sshPort));

        // The node, configured as an admin would.
        options.add(editConfigurationFilePut("etc/org.vigil.node.cfg", "node.name", NODE_NAME));
        // The key where it was written, mode 0600 (a copy into etc/ would get the umask's mode, and the node refuses a
        // key file others can read).
        options.add(editConfigurationFilePut("etc/org.vigil.node.cfg", "cluster.key.file",
                clusterKeyFile(targetDir).getAbsolutePath()));
        return options.toArray(new Option[0]);
    }

    /**
     * The flags bin/karaf passes on Java 9+; Pax Exam does not add them, and without them karaf.log
     * fills with NoClassDefFoundError. Paths are relative to the container's home, its working directory.
     */
    protected static Option java17VmOptions(String karafVersion) {
        return composite(vmOptions(
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
                "-Xmx256m"));
    }

    /** A fresh random cluster key (32 bytes, base64, one line, mode 0600), as bin/vigil-keygen writes it. */
    private static File clusterKeyFile(File targetDir) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            Files.createDirectories(targetDir.toPath());
            Path file = Files.createTempFile(targetDir.toPath(), "itest-cluster-", ".key");
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            file.toFile().deleteOnExit();
            return file.toFile();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test cluster key", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the container's SSH server", e);
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("system property " + name + " is not set; run the tests with"
                    + " mvn -f tests/itest/pom.xml verify (it is set by the pom)");
        }
        return value;
    }

    // ---------------------------------------------------------------- helpers run in the container

    /** Output and outcome of one shell command. */
    public record CommandOutput(String command, String output, Object result, Throwable failure) {

        /** @return true when the command ran without throwing */
        public boolean succeeded() {
            return failure == null;
        }

        /** @return the printed output followed by the command's return value, if any */
        public String text() {
            return result == null ? output : output + result;
        }
    }

    /**
     * Runs one Karaf shell command (for example {@code vigil:resource-types} or {@code bundle:list -t 0})
     * in a fresh in-process session, as the shell console would, and captures what it prints. Waits up
     * to {@link #WAIT} for the command to exist, so it can be called right after a feature install; a
     * command that never appears runs anyway and fails with "Command not found". Never throws: the
     * outcome is in the result. The session has no JAAS subject, so commands guarded by Karaf's command
     * ACLs (etc/org.apache.karaf.command.acl.*.cfg; feature:* among them) are hidden from it: run those with
     * {@link #executeAsAdmin(String)}.
     *
     * @param command the command line
     * @return the captured output and the command's return value or failure
     */
    protected CommandOutput runCommand(String command) {
        return runCommand(command, WAIT);
    }

    /**
     * As {@link #runCommand(String)}, with a time limit for the command to exist and to finish.
     *
     * @param command the command line
     * @param timeout how long to wait for the command to exist, and again for it to finish
     * @return the captured output and the command's return value or failure
     */
    protected CommandOutput runCommand(String command, Duration timeout) {
        String name = command.trim().split("\\s+", 2)[0];
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!commandExists(name) && System.nanoTime() - deadline < 0) {
            sleep(100);
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Object> future = executor.submit(() -> session.execute(command));
            Object result = null;
            Throwable failure = null;
            try {
                result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (TimeoutException e) {
                future.cancel(true);
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            }
            out.flush();
            return new CommandOutput(command, buffer.toString(StandardCharsets.UTF_8), result, failure);
        } finally {
            executor.shutdownNow();
            session.close();
        }
    }

    /**
     * Runs a shell command and returns its text; fails the test if the command throws.
     *
     * @param command the command line
     * @return what the command printed, followed by its return value if any
     */
    protected String executeCommand(String command) {
        CommandOutput result = runCommand(command);
        if (!result.succeeded()) {
            throw new AssertionError("command '" + command + "' failed: " + result.failure()
                    + "\n--- output ---\n" + result.output(), result.failure());
        }
        return result.text();
    }

    /**
     * Runs a shell command as an admin would after logging in: in a session whose caller has the admin role,
     * so commands guarded by Karaf's command ACLs (feature:* among them) are there and allowed.
     *
     * @param command the command line
     * @return what it printed, followed by its return value if any
     */
    protected String executeAsAdmin(String command) throws Exception {
        Subject admin = new Subject();
        admin.getPrincipals().add(new UserPrincipal("itest-admin"));
        admin.getPrincipals().add(new RolePrincipal("admin"));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Future<Object> result = executor.submit(() -> Subject.doAs(admin,
                    (PrivilegedExceptionAction<Object>) () -> session.execute(command)));
            Object value = result.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return buffer.toString(StandardCharsets.UTF_8) + (value == null ? "" : value);
        } finally {
            executor.shutdownNow();
            session.close();
        }
    }

    private boolean commandExists(String name) {
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        try {
            return session.getRegistry().getCommands().stream()
                    .anyMatch(c -> name.contains(":")
                            ? (c.getScope() + ":" + c.getName()).equals(name)
                            : c.getName().equals(name));
        } finally {
            session.close();
        }
    }

    /**
     * Waits until a condition holds, polling every 100 ms.
     *
     * @param what      what is awaited, for the failure message
     * @param timeout   how long to wait
     * @param condition the condition
     */
    protected static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
        waitFor(() -> what, timeout, condition);
    }

    /**
     * Waits until a condition holds, polling every 100 ms.
     *
     * @param what      what is awaited and what was seen, computed only on failure
     * @param timeout   how long to wait
     * @param condition the condition
     */
    protected static void waitFor(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Finds a Vigil bundle by its Maven artifactId, through the location the features service
     * installed it from ({@code mvn:org.vigil/<artifactId>/<version>}).
     *
     * @param artifactId for example {@code vigil-core}
     * @return the installed bundle, or null
     */
    protected Bundle vigilBundle(String artifactId) {
        String prefix = "mvn:org.vigil/" + artifactId + "/";
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getLocation().startsWith(prefix)) {
                return b;
            }
        }
        return null;
    }

    /**
     * @param state an OSGi bundle state
     * @return its name as bundle:list shows it
     */
    protected static String stateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED: return "Uninstalled";
            case Bundle.INSTALLED: return "Installed";
            case Bundle.RESOLVED: return "Resolved";
            case Bundle.STARTING: return "Starting";
            case Bundle.STOPPING: return "Stopping";
            case Bundle.ACTIVE: return "Active";
            default: return "Unknown(" + state + ")";
        }
    }
}
