package org.vigil.core.internal.heartbeat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.alert.Severity;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.core.internal.PathConfiguration;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.model.Names;

/**
 * The configured heartbeat paths and the installed transports: a path opens when its configuration is valid and its
 * transport is there (one receiver thread per open path), is retried while it fails to open, and closes when its
 * configuration or its transport goes away. Opening runs on the sender thread ({@link #reconcileIfDue}), so a
 * transport that is slow to open delays no receiver.
 */
final class PathLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PathLifecycle.class);
    static final long RETRY_MILLIS = 2000;

    private final String node;
    private final Alerts alerts;
    private final LongSupplier clock;
    private final BooleanSupplier anyActive;
    private final Supplier<BiPredicate<String, String>> fenceHandler;
    private final Runnable kick;
    private final Map<String, HeartbeatPath> paths = new ConcurrentHashMap<>();
    private final Map<String, HeartbeatTransportFactory> factories = new ConcurrentHashMap<>();
    private volatile long firstOpen = Long.MIN_VALUE;
    private volatile boolean running;
    private volatile boolean dirty = true;
    private long lastRetry;

    /**
     * @param node         this node
     * @param alerts       where path events go
     * @param clock        monotonic milliseconds
     * @param anyActive    whether this node runs resources (its last port then closes only after a quiet time)
     * @param fenceHandler what a fence request does, see {@link LastPortGuard}
     * @param kick         asks the sender thread to run now
     */
    PathLifecycle(String node, Alerts alerts, LongSupplier clock, BooleanSupplier anyActive,
            Supplier<BiPredicate<String, String>> fenceHandler, Runnable kick) {
        this.node = node;
        this.alerts = alerts;
        this.clock = clock;
        this.anyActive = anyActive;
        this.fenceHandler = fenceHandler;
        this.kick = kick;
    }

    Collection<HeartbeatPath> all() {
        return paths.values();
    }

    long firstOpen() {
        return firstOpen;
    }

    /** @return true when the path is open and its transport reports refused peers (a 1.2 transport does not) */
    boolean reportsRefusals(String path) {
        return paths.values().stream().anyMatch(p -> p.config.name().equals(path) && p.reportsRefusals());
    }

    void add(HeartbeatPath p) {
        HeartbeatPath current = paths.get(p.config.pid());
        if (current != null && current.transport != null) {
            // a changed configuration closes the open path first; if the new one cannot open (an invalid bind) and
            // this was the last open path, the port would close while resources run: a live node looking gone
            quietBeforeClosing(List.of(current));
        }
        HeartbeatPath old = paths.put(p.config.pid(), p);
        if (old != null) {
            old.close();
        }
        changed();
    }

    void remove(PathConfiguration c) {
        HeartbeatPath p = paths.get(c.pid());
        if (p != null) {
            quietBeforeClosing(List.of(p));
        }
        p = paths.remove(c.pid());
        if (p != null) {
            p.close();
        }
    }

    /** Before the last open paths close while resources run: see {@link LastPortGuard}. */
    private void quietBeforeClosing(List<HeartbeatPath> closing) {
        boolean canRefuse = closing.stream().anyMatch(p -> reportsRefusals(p.config.name()));
        boolean othersOpen = paths.values().stream().anyMatch(p -> !closing.contains(p) && p.transport != null);
        LastPortGuard.quietFirst(node, String.join(", ", closing.stream().map(p -> p.config.name()).toList()),
                canRefuse, othersOpen, anyActive::getAsBoolean, fenceHandler.get(), clock, LastPortGuard.WAIT_MILLIS);
    }

    void addFactory(HeartbeatTransportFactory f) {
        TransportDescription d = describe(f);
        if (d != null) {
            factories.put(d.type(), f);
            changed();
        }
    }

    void removeFactory(HeartbeatTransportFactory f) {
        factories.entrySet().removeIf(e -> e.getValue() == f);
        quietBeforeClosing(paths.values().stream()
                .filter(p -> !factories.containsKey(p.config.type()) && p.transport != null).toList());
        for (HeartbeatPath p : paths.values()) {
            if (!factories.containsKey(p.config.type()) && p.transport != null) {
                p.close();
                p.state = PathState.WAITING;
                p.detail = notInstalled(p.config.type());
                alerts.raise(Severity.WARNING, "path-down", p.config.name(), "heartbeat path " + p.config.name()
                        + " closed: its transport was removed");
            }
        }
    }

    private static String notInstalled(String type) {
        return "transport '" + type + "' is not installed (feature vigil-heartbeat-" + type + ")";
    }

    Map<String, TransportDescription> transports() {
        Map<String, TransportDescription> out = new TreeMap<>();
        factories.forEach((k, f) -> {
            TransportDescription d = describe(f);
            if (d != null) {
                out.put(k, d);
            }
        });
        return out;
    }

    private static TransportDescription describe(HeartbeatTransportFactory f) {
        try {
            return f.describe();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("heartbeat transport {} cannot describe itself and is ignored: {}", f.getClass().getName(),
                    e.toString());
            return null;
        }
    }

    Map<String, PathStatus> status() {
        Map<String, PathStatus> out = new TreeMap<>();
        for (HeartbeatPath p : paths.values()) {
            out.put(p.label(), new PathStatus(p.label(), p.config.type(), p.state, p.detail, p.counters));
        }
        return out;
    }

    private void changed() {
        dirty = true;
        kick.run();
    }

    void start() {
        running = true;
    }

    /** Called by the sender thread: opens what can open, after a change or every {@value #RETRY_MILLIS} ms. */
    void reconcileIfDue(long now) {
        if (dirty || now - lastRetry >= RETRY_MILLIS) {
            dirty = false;
            lastRetry = now;
            try {
                reconcile(now);
            } catch (RuntimeException e) {
                LOG.error("opening heartbeat paths failed", e);
            }
        }
    }

    private synchronized void reconcile(long now) {
        for (HeartbeatPath p : paths.values()) {
            if (p.transport != null || now < p.retryAt || !running) {
                continue;
            }
            PathConfiguration c = p.config;
            List<String> problems = new ArrayList<>();
            if (c.name().isEmpty()) {
                problems.add("name: missing (configuration " + c.pid() + ")");
            } else if (!Names.isValid(c.name())) {
                problems.add("name: '" + c.name() + "' is not a valid path name");
            }
            if (c.type().isEmpty()) {
                problems.add("type: missing (one of " + factories.keySet() + ")");
            }
            HeartbeatTransportFactory f = factories.get(c.type());
            if (problems.isEmpty() && f == null) {
                p.state = PathState.WAITING;
                p.detail = notInstalled(c.type());
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            if (f != null) {
                TransportDescription d = describe(f);
                if (d == null) {
                    continue;
                }
                for (ParameterDescription pd : d.parameters()) {
                    if (pd.defaultValue() != null) {
                        params.put(pd.name(), pd.defaultValue());
                    }
                }
                for (String k : c.params().keySet()) {
                    if (d.parameters().stream().noneMatch(pd -> pd.name().equals(k))) {
                        problems.add(k + ": not a parameter of transport " + c.type());
                    }
                }
                params.putAll(c.params());
                try {
                    problems.addAll(f.validate(params));
                } catch (RuntimeException e) {
                    problems.add("the transport failed to validate: " + e);
                }
            }
            if (!problems.isEmpty()) {
                String msg = String.join("; ", problems);
                if (p.state != PathState.INVALID || !msg.equals(p.detail)) {
                    alerts.raise(Severity.WARNING, "path-invalid", p.label(),
                            "heartbeat path " + c.pid() + " is not valid: " + msg);
                }
                p.state = PathState.INVALID;
                p.detail = msg;
                p.retryAt = Long.MAX_VALUE; // until the configuration changes
                continue;
            }
            p.params = Map.copyOf(params);
            open(p, f, now);
        }
    }

    private void open(HeartbeatPath p, HeartbeatTransportFactory f, long now) {
        try {
            HeartbeatTransport t = f.open(p);
            p.transport = t;
            if (firstOpen == Long.MIN_VALUE) {
                firstOpen = now;
            }
            p.state = PathState.OPEN;
            p.detail = "";
            Thread rx = new Thread(() -> receiveLoop(p, t), "vigil-heartbeat-rx[" + node + "/" + p.config.name() + "]");
            rx.setDaemon(true);
            rx.setPriority(Thread.MAX_PRIORITY);
            p.receiver = rx;
            rx.start();
            LOG.info("heartbeat path {} ({}) is open", p.config.name(), p.config.type());
        } catch (IOException | RuntimeException e) {
            p.state = PathState.FAILED;
            p.detail = String.valueOf(e.getMessage());
            p.retryAt = now + RETRY_MILLIS;
            p.logReject("cannot open: " + e.getMessage() + "; retrying every " + RETRY_MILLIS / 1000 + " s");
        }
    }

    private void receiveLoop(HeartbeatPath p, HeartbeatTransport t) {
        while (running && p.transport == t) {
            try {
                t.receive(200);
            } catch (IOException | RuntimeException e) {
                if (!running || p.transport != t) {
                    return;
                }
                p.logReject("receive failed: " + e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /** No path opens any more; receivers end. */
    void halt() {
        running = false;
    }

    /** Closes every path. */
    void closeAll() {
        paths.values().forEach(HeartbeatPath::close);
    }
}
