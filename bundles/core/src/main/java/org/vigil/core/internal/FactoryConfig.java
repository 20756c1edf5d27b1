package org.vigil.core.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the factory configurations of paths, fence devices and alert sinks read alike: the instance's name and the
 * plug-in's own parameters among the keys the framework adds. A fence device or alert sink configuration is one of
 * these: its name, its plug-in type and the plug-in's parameters.
 */
public abstract class FactoryConfig {

    /**
     * A plug-in parameter is a lower-case word with dashes; everything the framework adds to a component's properties
     * (service.pid, component.name, felix.fileinstall.filename, osgi.ds.satisfying.condition.target, objectClass, ...)
     * has dots or capitals and is not one.
     */
    private static final Pattern PARAMETER = Pattern.compile("[a-z][a-z0-9-]*");

    private final String name;
    private final String type;
    private final Map<String, String> params;

    /**
     * @param props      the configuration
     * @param factoryPid the factory PID, e.g. {@code org.vigil.fence}
     * @param coreKeys   the keys the core reads itself; every other lower-case key is the plug-in's
     */
    protected FactoryConfig(Map<String, Object> props, String factoryPid, Set<String> coreKeys) {
        this.name = instanceName(props, factoryPid);
        this.type = text(props, "type");
        this.params = pluginParameters(props, coreKeys);
    }

    /** @return the instance's name (its file's instance name) */
    public String name() {
        return name;
    }

    /** @return the plug-in type ("" when missing) */
    public String type() {
        return type;
    }

    /** @return the plug-in's parameters */
    public Map<String, String> params() {
        return params;
    }

    /**
     * @param props      the configuration
     * @param factoryPid the factory PID, e.g. {@code org.vigil.fence}
     * @return the {@code name} key; else the instance name of its file ({@code etc/<factoryPid>-<name>.cfg}); else
     *         the configuration's PID
     */
    public static String instanceName(Map<String, Object> props, String factoryPid) {
        if (props.get("name") != null) {
            return props.get("name").toString().trim();
        }
        Object file = props.get("felix.fileinstall.filename");
        return file == null ? String.valueOf(props.get("service.pid"))
                : file.toString().replaceAll(".*/" + Pattern.quote(factoryPid + "-"), "").replaceAll("\\.cfg$", "");
    }

    /** @return the key's value, trimmed; "" when it is absent */
    public static String text(Map<String, Object> props, String key) {
        Object v = props.get(key);
        return v == null ? "" : v.toString().trim();
    }

    /**
     * @param props    the configuration
     * @param coreKeys the keys the core reads itself
     * @return every other key that is a plug-in parameter, with its value trimmed
     */
    public static Map<String, String> pluginParameters(Map<String, Object> props, Set<String> coreKeys) {
        Map<String, String> m = new TreeMap<>();
        props.forEach((k, v) -> {
            if (!coreKeys.contains(k) && PARAMETER.matcher(k).matches() && v != null) {
                m.put(k, v.toString().trim());
            }
        });
        return Map.copyOf(m);
    }
}
