package org.vigil.core.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node configuration as the node may use it. A value that is not of its key's type ({@code dead.time.ms = abc}:
 * Declarative Services hands it over and throws only when it is read) or timing that cannot work never throws out
 * of activate or modified: it is reported, naming the key and the value, and the last good value (at start, the
 * default) stays in use meanwhile. The report makes the node not ready: it starts nothing new until fixed.
 */
final class NodeConfigCheck {

    /**
     * @param config  every value usable (a bad one replaced by its last good value or default)
     * @param problem what is wrong, naming each key and value, or null
     */
    record Checked(ClusterNode.Config config, String problem) {
    }

    private static final int SHOWN_VALUE_CHARS = 60;

    private NodeConfigCheck() {
    }

    /**
     * @param given    the configuration as Declarative Services passes it (may throw on reading a bad value)
     * @param props    the same configuration as raw properties, to quote a bad value
     * @param lastGood the configuration in use until now, or null at start (then the defaults stand in)
     * @return the usable configuration and the problem
     */
    static Checked check(ClusterNode.Config given, Map<String, ?> props, ClusterNode.Config lastGood) {
        Map<String, Object> values = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Method m : ClusterNode.Config.class.getDeclaredMethods()) {
            Object v;
            try {
                v = m.invoke(given);
            } catch (InvocationTargetException e) {
                Object fallback = fallback(m, lastGood);
                problems.add(key(m) + " = '" + shown(props.get(key(m))) + "' is not " + kind(m.getReturnType())
                        + " (" + (lastGood == null ? "the default " : "the last good value ") + fallback + " is used meanwhile)");
                v = fallback;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            values.put(m.getName(), v);
        }
        long interval = (Long) values.get("heartbeat_interval_ms");
        long dead = (Long) values.get("dead_time_ms");
        if (interval <= 0 || dead < 2 * interval) {
            Method im = method("heartbeat_interval_ms");
            Method dm = method("dead_time_ms");
            Object fi = fallback(im, lastGood);
            Object fd = fallback(dm, lastGood);
            problems.add("heartbeat.interval.ms = " + interval + " and dead.time.ms = " + dead + ": the interval must be"
                    + " positive and the dead time at least twice the interval (" + fi + " and " + fd + " are used meanwhile)");
            values.put(im.getName(), fi);
            values.put(dm.getName(), fd);
        }
        ClusterNode.Config safe = (ClusterNode.Config) Proxy.newProxyInstance(ClusterNode.Config.class.getClassLoader(),
                new Class<?>[] {ClusterNode.Config.class}, (p, m, a) -> switch (m.getName()) {
                    case "annotationType" -> ClusterNode.Config.class;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> p == a[0];
                    case "toString" -> "node configuration " + values;
                    default -> values.get(m.getName());
                });
        return new Checked(safe, problems.isEmpty() ? null : String.join("; ", problems));
    }

    /** @return the key in etc/org.vigil.node.cfg (Declarative Services' mapping: an underscore is a dot) */
    static String key(Method m) {
        return m.getName().replace('_', '.');
    }

    private static Method method(String name) {
        try {
            return ClusterNode.Config.class.getDeclaredMethod(name);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object fallback(Method m, ClusterNode.Config lastGood) {
        if (lastGood != null) {
            try {
                return m.invoke(lastGood);
            } catch (ReflectiveOperationException e) {
                // the last good configuration was checked: cannot happen; the default stands in
            }
        }
        return m.getDefaultValue();
    }

    private static String kind(Class<?> type) {
        if (type == long.class || type == int.class) {
            return "a whole number";
        }
        if (type == boolean.class) {
            return "true or false";
        }
        return "a " + type.getSimpleName();
    }

    /** @return the value as the admin wrote it, short and without control characters (it reaches a terminal) */
    private static String shown(Object raw) {
        String s = String.valueOf(raw).replaceAll("\\p{Cntrl}", "?");
        return s.length() <= SHOWN_VALUE_CHARS ? s : s.substring(0, SHOWN_VALUE_CHARS) + "...";
    }
}
