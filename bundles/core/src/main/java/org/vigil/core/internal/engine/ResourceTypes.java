package org.vigil.core.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.alert.Severity;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.ResourceState;

/**
 * The installed resource types, as they come and go (Declarative Services threads), each with the
 * description it gave once when it arrived: the tick must not call agents. What their coming and going
 * means for the local resources is applied on the engine thread.
 */
final class ResourceTypes {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceTypes.class);

    private final Map<String, ResourceType> types = new ConcurrentHashMap<>();
    /** Each installed type's description, read once when it arrives (the tick must not call agents). */
    private final Map<ResourceType, ResourceTypeDescription> descriptions = new ConcurrentHashMap<>();
    private final LocalState locals;
    private final Inbox inbox;
    private final Alerts alerts;

    ResourceTypes(LocalState locals, Inbox inbox, Alerts alerts) {
        this.locals = locals;
        this.inbox = inbox;
        this.alerts = alerts;
    }

    /** @param id a type identifier; @return the installed type, or null */
    ResourceType get(String id) {
        return types.get(id);
    }

    /** @param id a type identifier; @return true when it is installed */
    boolean has(String id) {
        return types.containsKey(id);
    }

    /** @return the identifiers of the installed types */
    Set<String> ids() {
        return types.keySet();
    }

    /** @return the installed types by identifier, a copy */
    Map<String, ResourceType> copy() {
        return Map.copyOf(types);
    }

    /** @param t an installed type; @return its description, or null when it is gone */
    ResourceTypeDescription description(ResourceType t) {
        return descriptions.get(t);
    }

    /** @param def a resource, or null; @return how often it is monitored (ms), 5 s when its type is unknown */
    long monitorInterval(ResourceDef def) {
        ResourceType t = def == null ? null : types.get(def.type());
        ResourceTypeDescription d = t == null ? null : descriptions.get(t);
        return d == null ? 5000 : Math.max(100, d.monitorInterval().toMillis());
    }

    /** @param t a resource type that appeared */
    void added(ResourceType t) {
        ResourceTypeDescription d = describe(t);
        if (d == null) {
            return;
        }
        descriptions.put(t, d);
        types.put(d.type(), t);
        inbox.submit(() -> {
            List<String> readopt = new ArrayList<>();
            for (Local l : locals.resources()) {
                if (l.def != null && l.def.type().equals(d.type()) && l.op == null) {
                    l.handler = null;
                    if (l.state == ResourceState.UNMANAGED || l.state == ResourceState.STOPPED) {
                        if (l.state == ResourceState.UNMANAGED) {
                            readopt.add(l.name);
                        }
                        l.state = ResourceState.UNKNOWN;
                    }
                }
            }
            LOG.info("resource type '{}' is available", d.type());
            if (!readopt.isEmpty()) {
                alerts.raise(Severity.INFO, "type-returned", d.type(), "resource type " + d.type()
                        + " is back; probing " + String.join(", ", readopt) + " to re-adopt them");
            }
        });
    }

    /** @param t a resource type that is going away */
    void removed(ResourceType t) {
        String id = null;
        for (Map.Entry<String, ResourceType> e : types.entrySet()) {
            if (e.getValue() == t) {
                id = e.getKey();
            }
        }
        if (id == null) {
            return;
        }
        types.remove(id, t);
        descriptions.remove(t);
        String type = id;
        inbox.submit(() -> {
            List<String> unmanaged = new ArrayList<>();
            for (Local l : locals.resources()) {
                if (l.def != null && l.def.type().equals(type)) {
                    l.handler = null;
                    if (l.state.isActive()) {
                        l.state = ResourceState.UNMANAGED;
                        unmanaged.add(l.name);
                    }
                }
            }
            if (unmanaged.isEmpty()) {
                LOG.info("resource type '{}' was removed", type);
            } else {
                alerts.raise(Severity.WARNING, "type-removed", type, "resource type " + type + " was removed; "
                        + String.join(", ", unmanaged) + " keep running unmanaged until it returns");
            }
        });
    }

    private static ResourceTypeDescription describe(ResourceType t) {
        try {
            return Objects.requireNonNull(t.describe(), "describe() returned null");
        } catch (RuntimeException | LinkageError e) {
            LOG.error("resource type {} cannot describe itself and is ignored: {}", t.getClass().getName(), e.toString());
            return null;
        }
    }
}
