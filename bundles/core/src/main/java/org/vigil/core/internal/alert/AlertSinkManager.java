package org.vigil.core.internal.alert;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.AlertSinkType;

/**
 * Turns the admin's sink configurations into alert sinks: for each {@code org.vigil.alert} configuration whose
 * type is installed and whose parameters the type accepts, it creates the sink and registers it as an
 * {@link AlertSink} service with the configuration's filter and limits as service properties, where the cluster
 * node picks it up like any vendor's sink. A configuration that cannot run is kept with its problem for
 * {@code vigil:alerts}.
 */
@Component(service = AlertSinkManager.class, immediate = true)
public class AlertSinkManager {

    private static final Logger LOG = LoggerFactory.getLogger(AlertSinkManager.class);

    /** Service property marking the sinks this manager registered, holding the configuration's name. */
    static final String CONFIG_NAME = "vigil.alert.config";

    private final Map<String, AlertSinkType> types = new TreeMap<>();
    private final Map<AlertConfiguration, ServiceRegistration<AlertSink>> running = new java.util.HashMap<>();
    private final Map<AlertConfiguration, String> problems = new java.util.HashMap<>();
    private final List<AlertConfiguration> configs = new java.util.ArrayList<>();
    private BundleContext context;

    /** @param ctx the core bundle's context, to register sinks with */
    @Activate
    public synchronized void activate(BundleContext ctx) {
        this.context = ctx;
        configs.forEach(this::apply);
    }

    /** Unregisters every sink it made. */
    @Deactivate
    public synchronized void deactivate() {
        configs.forEach(this::stop);
        context = null;
    }

    /** @param t a sink type */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public synchronized void addType(AlertSinkType t) {
        types.put(t.type(), t);
        configs.stream().filter(c -> c.type().equals(t.type())).forEach(this::apply);
    }

    /** @param t a sink type going away: its sinks stop */
    public synchronized void removeType(AlertSinkType t) {
        if (types.get(t.type()) == t) {
            types.remove(t.type());
            configs.stream().filter(c -> c.type().equals(t.type())).forEach(this::apply);
        }
    }

    /** @param c a sink configuration */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public synchronized void addConfiguration(AlertConfiguration c) {
        configs.add(c);
        apply(c);
    }

    /** @param c a sink configuration going away */
    public synchronized void removeConfiguration(AlertConfiguration c) {
        configs.remove(c);
        stop(c);
        problems.remove(c);
    }

    private void apply(AlertConfiguration c) {
        stop(c);
        String problem = c.problem();
        AlertSinkType t = types.get(c.type());
        if (problem == null && t == null) {
            problem = "type: sink type '" + c.type() + "' is not installed (installed: "
                    + (types.isEmpty() ? "none" : String.join(", ", types.keySet())) + "; feature:install vigil-alert-"
                    + c.type() + ")";
        }
        AlertSink sink = null;
        if (problem == null) {
            try {
                List<String> p = t.validate(c.params());
                if (!p.isEmpty()) {
                    problem = String.join("; ", p);
                } else {
                    sink = t.create(c.name(), c.params());
                }
            } catch (Exception | LinkageError e) {
                problem = "sink type " + c.type() + " failed: " + e.getMessage();
            }
        }
        if (problem != null) {
            problems.put(c, problem);
            LOG.warn("alert sink {} (etc/org.vigil.alert-{}.cfg) does not run: {}", c.name(), c.name(), problem);
            return;
        }
        problems.remove(c);
        if (context == null) {
            return;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        AlertFilter f = c.filter();
        props.put(AlertSink.MIN_SEVERITY, f.minSeverity().name());
        props.put(AlertSink.KINDS, String.join(",", f.kinds()));
        props.put(AlertSink.TIMEOUT, Long.toString(f.timeoutMillis() / 1000));
        props.put(AlertSink.QUEUE, Integer.toString(f.queue()));
        props.put(CONFIG_NAME, c.name());
        running.put(c, context.registerService(AlertSink.class, sink, props));
        LOG.info("alert sink {} ({}) runs: {}", c.name(), c.type(), f.describe());
    }

    private void stop(AlertConfiguration c) {
        ServiceRegistration<AlertSink> r = running.remove(c);
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }

    /** @return configured sinks that do not run, by name, with the reason */
    public synchronized Map<String, String> problems() {
        Map<String, String> m = new TreeMap<>();
        problems.forEach((c, p) -> m.put(c.name(), p));
        return m;
    }

    /** @return the installed sink types with their descriptions */
    public synchronized Map<String, String> types() {
        Map<String, String> m = new TreeMap<>();
        types.forEach((k, v) -> m.put(k, v.description()));
        return m;
    }
}
