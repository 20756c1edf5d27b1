package org.vigil.rest.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API's server: the JDK's HTTPS server on each configured address of {@code etc/org.vigil.rest.cfg}, TLS
 * only, nothing at all while {@code enabled} is not true. A new configuration closes the listeners and opens the new
 * ones. Requests run on a small bounded pool; long operations on a pool of their own.
 */
@Component(service = RestInfo.class, configurationPid = RestServer.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
public class RestServer implements RestInfo {

    static final String PID = "org.vigil.rest";
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);
    private static final int REQUEST_THREADS = 4;
    private static final int OPERATION_THREADS = 2;
    /** Open web consoles (each holds one stream thread); one more is refused with 503. */
    private static final int CONSOLE_STREAMS = 8;

    @Reference
    SessionFactory sessions;

    private final List<HttpsServer> servers = new ArrayList<>();
    private ThreadPoolExecutor requests;
    private ThreadPoolExecutor operationPool;
    private ThreadPoolExecutor streamPool;
    private volatile String state = "not started";
    private volatile TlsMaterial tls;
    private volatile LoginThrottle throttle;
    private volatile Operations operations;
    private volatile AuditLog audit;

    @Activate
    void activate(Map<String, Object> props) {
        start(props);
    }

    @Modified
    void modified(Map<String, Object> props) {
        stop();
        start(props);
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private synchronized void start(Map<String, Object> props) {
        RestConfig config;
        try {
            config = RestConfig.parse(props);
        } catch (IllegalArgumentException e) {
            state = "NOT LISTENING: etc/" + PID + ".cfg: " + e.getMessage();
            LOG.error("REST API not started: etc/{}.cfg: {}", PID, e.getMessage());
            return;
        }
        if (!config.enabled()) {
            state = "disabled (enabled = true in etc/" + PID + ".cfg turns it on)";
            LOG.info("REST API disabled: nothing listens (enabled = true in etc/{}.cfg turns it on)", PID);
            return;
        }
        Path etc = Path.of(System.getProperty("karaf.etc", "etc"));
        Path data = Path.of(System.getProperty("karaf.data", "data"));
        try {
            tls = TlsMaterial.load(etc, config.keystore(), config.passwordFile(), certificateNames(config));
        } catch (Exception e) {
            state = "NOT LISTENING: TLS: " + e.getMessage();
            LOG.error("REST API not started: TLS key and certificate: {}", e.getMessage());
            return;
        }
        if (tls.generated()) {
            LOG.info("REST API: generated a self-signed TLS certificate in {} (etc/vigil-rest.crt for clients)", tls.keystore());
        }
        audit = new AuditLog(data.resolve("log/vigil-audit.log"));
        throttle = new LoginThrottle(config.maxFailures(), () -> System.nanoTime() / 1_000_000);
        operationPool = pool("vigil-rest-operation-", OPERATION_THREADS, config.maxOperations());
        operations = new Operations(config.maxOperations(), config.operationAge(), Instant::now, operationPool);
        // the dispatcher runs a request itself when the queue is full: it then accepts nothing more until done
        requests = pool("vigil-rest-request-", REQUEST_THREADS, 64);
        requests.setRejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy());
        JaasLogin jaas = new JaasLogin(config.realm());
        ShellRunner shell = new ShellRunner(sessions);
        ConsoleSessions consoleSessions = new ConsoleSessions(ConsoleSessionLimits.IDLE_MS, ConsoleSessionLimits.MAX_AGE_MS,
                () -> System.nanoTime() / 1_000_000);
        ApiHandler handler = new ApiHandler(config, jaas, throttle, shell, operations, audit, consoleSessions);
        streamPool = new ThreadPoolExecutor(0, CONSOLE_STREAMS, 30, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "vigil-console-stream");
                    t.setDaemon(true);
                    return t;
                });
        ConsoleHandler console = new ConsoleHandler(config, jaas, throttle, consoleSessions, new CachedStatus(shell), streamPool,
                audit);
        // A client sending its request slowly would hold one of the few request threads for ever: the JDK server's
        // limits are JVM-wide properties read once, unset (no limit) by default; Vigil runs no other JDK HTTP server.
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "30");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "300");
        List<String> where = new ArrayList<>();
        try {
            for (InetAddress a : config.bind()) {
                HttpsServer s = HttpsServer.create(new InetSocketAddress(a, config.port()), 32);
                s.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters p = getSSLContext().getDefaultSSLParameters();
                        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                        params.setSSLParameters(p);
                    }
                });
                s.createContext("/", handler);
                s.createContext(ConsoleHandler.PREFIX, console);
                s.setExecutor(requests);
                s.start();
                servers.add(s);
                where.add(hostPort(a, config.port()));
            }
        } catch (Exception e) {
            stop();
            state = "NOT LISTENING: cannot listen on " + config.bind() + " port " + config.port() + ": " + e;
            LOG.error("REST API not started: cannot listen on {} port {}: {}", config.bind(), config.port(), e.toString());
            return;
        }
        state = "listening on https://" + String.join(", https://", where) + Routes.PREFIX + "/ (web console: "
                + ConsoleHandler.PREFIX + "/)";
        LOG.info("REST API {}; TLS certificate SHA-256 fingerprint {}", state, tls.fingerprint());
    }

    private synchronized void stop() {
        servers.forEach(s -> s.stop(0));
        servers.clear();
        if (requests != null) {
            requests.shutdownNow();
            requests = null;
        }
        if (operationPool != null) {
            operationPool.shutdownNow();
            operationPool = null;
        }
        if (streamPool != null) {
            streamPool.shutdownNow();
            streamPool = null;
        }
        state = "stopped";
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder("REST API: ").append(state);
        TlsMaterial t = tls;
        if (t != null && !servers.isEmpty()) {
            b.append("\nTLS certificate SHA-256 fingerprint: ").append(t.fingerprint())
                    .append("\nkeystore: ").append(t.keystore());
            b.append("\naudit log: ").append(audit.file());
            b.append("\nfailed logins since start: ").append(throttle.totalFailures());
            b.append("\noperations kept: ").append(operations.all().size());
        }
        return b.toString();
    }

    private static List<String> certificateNames(RestConfig config) {
        Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        names.add("127.0.0.1");
        for (InetAddress a : config.bind()) {
            if (!a.isAnyLocalAddress()) {
                names.add(a.getHostAddress());
            }
        }
        return new ArrayList<>(names);
    }

    private static String hostPort(InetAddress a, int port) {
        String h = a.getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    private static ThreadPoolExecutor pool(String prefix, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, prefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }
}
