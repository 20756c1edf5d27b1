package org.vigil.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's settings ({@code etc/org.vigil.node.cfg}), parsed once from the raw configuration properties. A value
 * that is not of its key's type ({@code dead.time.ms = abc}) or timing that cannot work never throws: it is reported,
 * naming the key and the value, and the last good value (at start, the default) stands in meanwhile. The node reports
 * the errors as its not-ready reason: it starts nothing new until they are fixed.
 *
 * <p>The keys and defaults are those declared for Metatype in {@link NodeConfig}.
 */
public record NodeSettings(String nodeName, String clusterKeyFile, long heartbeatIntervalMs, long deadTimeMs,
        String stateDir, String quorum, String clusterNodes, String quorumTiebreaker, String quorumPingTargets,
        String quorumPingPeers, String quorumTiebreakerWinner, long quorumPingIntervalMs, long quorumPingSilenceMs,
        long quorumLossStopMs, long quorumFreezeMs, long fenceDelayMs, String publicInterfaces, String publicPingTargets,
        long publicIntervalMs, int publicLostAfter, int publicOkAfter) {

    /** Every key with its default, in the order of the record; the default's type is the key's. */
    static final Map<String, Object> DEFAULT_VALUES = defaults();

    /** The settings of an untouched configuration. */
    public static final NodeSettings DEFAULTS = of(DEFAULT_VALUES);

    private static final int SHOWN_VALUE_CHARS = 60;

    /**
     * The settings to use and what was wrong.
     *
     * @param settings every value usable: a bad one replaced by its last good value or default
     * @param errors   one line per bad key, naming the key and the value as written; empty when all is well
     */
    public record Parsed(NodeSettings settings, List<String> errors) {

        /** @return the errors joined, or null when there is none */
        public String problem() {
            return errors.isEmpty() ? null : String.join("; ", errors);
        }
    }

    /**
     * @param props the raw configuration (keys that are not settings, such as {@code service.pid}, are ignored)
     * @return the settings, the defaults standing in for bad values, and the errors
     */
    public static Parsed parse(Map<String, ?> props) {
        return parse(props, null);
    }

    /**
     * @param props    the raw configuration (keys that are not settings, such as {@code service.pid}, are ignored)
     * @param lastGood the settings in use until now, whose values stand in for bad ones; null at start (the defaults)
     * @return the settings and the errors
     */
    public static Parsed parse(Map<String, ?> props, NodeSettings lastGood) {
        Map<String, Object> fallback = lastGood == null ? DEFAULT_VALUES : lastGood.values();
        String stands = lastGood == null ? "the default " : "the last good value ";
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        DEFAULT_VALUES.forEach((key, def) -> {
            Object raw = props.get(key);
            Object v = raw == null ? def : convert(raw, def.getClass());
            if (v == null) {
                errors.add(key + " = '" + shown(raw) + "' is not " + kind(def.getClass()) + " (" + stands
                        + fallback.get(key) + " is used meanwhile)");
                v = fallback.get(key);
            }
            values.put(key, v);
        });
        long interval = (Long) values.get("heartbeat.interval.ms");
        long dead = (Long) values.get("dead.time.ms");
        if (interval <= 0 || dead < 2 * interval) {
            Object fi = fallback.get("heartbeat.interval.ms");
            Object fd = fallback.get("dead.time.ms");
            errors.add("heartbeat.interval.ms = " + interval + " and dead.time.ms = " + dead + ": the interval must be"
                    + " positive and the dead time at least twice the interval (" + fi + " and " + fd + " are used meanwhile)");
            values.put("heartbeat.interval.ms", fi);
            values.put("dead.time.ms", fd);
        }
        return new Parsed(of(values), List.copyOf(errors));
    }

    /** @return the node's name as configured, or null when blank (then the host name stands in) */
    public String configuredNodeName() {
        return nodeName.isBlank() ? null : nodeName.trim();
    }

    /** @return every key with its value, in the order of {@link #DEFAULT_VALUES} */
    Map<String, Object> values() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node.name", nodeName);
        m.put("cluster.key.file", clusterKeyFile);
        m.put("heartbeat.interval.ms", heartbeatIntervalMs);
        m.put("dead.time.ms", deadTimeMs);
        m.put("state.dir", stateDir);
        m.put("quorum", quorum);
        m.put("cluster.nodes", clusterNodes);
        m.put("quorum.tiebreaker", quorumTiebreaker);
        m.put("quorum.ping.targets", quorumPingTargets);
        m.put("quorum.ping.peers", quorumPingPeers);
        m.put("quorum.tiebreaker.winner", quorumTiebreakerWinner);
        m.put("quorum.ping.interval.ms", quorumPingIntervalMs);
        m.put("quorum.ping.silence.ms", quorumPingSilenceMs);
        m.put("quorum.loss.stop.ms", quorumLossStopMs);
        m.put("quorum.freeze.ms", quorumFreezeMs);
        m.put("fence.delay.ms", fenceDelayMs);
        m.put("public.interfaces", publicInterfaces);
        m.put("public.ping.targets", publicPingTargets);
        m.put("public.interval.ms", publicIntervalMs);
        m.put("public.lost.after", publicLostAfter);
        m.put("public.ok.after", publicOkAfter);
        return m;
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node.name", "");
        m.put("cluster.key.file", "");
        m.put("heartbeat.interval.ms", 100L);
        m.put("dead.time.ms", 600L);
        m.put("state.dir", "");
        m.put("quorum", "on");
        m.put("cluster.nodes", "");
        m.put("quorum.tiebreaker", "none");
        m.put("quorum.ping.targets", "");
        m.put("quorum.ping.peers", "");
        m.put("quorum.tiebreaker.winner", "");
        m.put("quorum.ping.interval.ms", 50L);
        m.put("quorum.ping.silence.ms", 500L);
        m.put("quorum.loss.stop.ms", 5000L);
        m.put("quorum.freeze.ms", 1000L);
        m.put("fence.delay.ms", 0L);
        m.put("public.interfaces", "");
        m.put("public.ping.targets", "");
        m.put("public.interval.ms", 1000L);
        m.put("public.lost.after", 3);
        m.put("public.ok.after", 2);
        return Collections.unmodifiableMap(m);
    }

    private static NodeSettings of(Map<String, Object> v) {
        return new NodeSettings((String) v.get("node.name"), (String) v.get("cluster.key.file"),
                (Long) v.get("heartbeat.interval.ms"), (Long) v.get("dead.time.ms"), (String) v.get("state.dir"),
                (String) v.get("quorum"), (String) v.get("cluster.nodes"), (String) v.get("quorum.tiebreaker"),
                (String) v.get("quorum.ping.targets"), (String) v.get("quorum.ping.peers"),
                (String) v.get("quorum.tiebreaker.winner"), (Long) v.get("quorum.ping.interval.ms"),
                (Long) v.get("quorum.ping.silence.ms"), (Long) v.get("quorum.loss.stop.ms"),
                (Long) v.get("quorum.freeze.ms"), (Long) v.get("fence.delay.ms"), (String) v.get("public.interfaces"),
                (String) v.get("public.ping.targets"), (Long) v.get("public.interval.ms"),
                (Integer) v.get("public.lost.after"), (Integer) v.get("public.ok.after"));
    }

    /** @return the value as the key's type, or null when it is not one (as Declarative Services would convert it) */
    private static Object convert(Object given, Class<?> type) {
        Object raw = first(given);
        if (raw == null) {
            return null;
        }
        if (type == String.class) {
            return raw.toString();
        }
        long n;
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            n = ((Number) raw).longValue();
        } else if (raw instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        if (type == Long.class) {
            return n;
        }
        return n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (Object) (int) n : null;
    }

    /** @return a single value as it is; of a list or an array (a typed configuration), its first element */
    private static Object first(Object v) {
        if (v instanceof java.util.Collection<?> c) {
            return c.isEmpty() ? null : c.iterator().next();
        }
        if (v != null && v.getClass().isArray()) {
            return java.lang.reflect.Array.getLength(v) == 0 ? null : java.lang.reflect.Array.get(v, 0);
        }
        return v;
    }

    private static String kind(Class<?> type) {
        return type == String.class ? "a String" : "a whole number";
    }

    /** @return the value as the admin wrote it, short and without control characters (it reaches a terminal) */
    private static String shown(Object raw) {
        String s = String.valueOf(raw).replaceAll("\\p{Cntrl}", "?");
        return s.length() <= SHOWN_VALUE_CHARS ? s : s.substring(0, SHOWN_VALUE_CHARS) + "...";
    }
}
