package org.vigil.core.internal.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.vigil.core.internal.json.Json;
import org.vigil.core.internal.json.JsonReader;

/**
 * The cluster definition: every group, resource and cluster-wide setting, as one versioned document
 * that every node holds. A change on any node produces the next version, which every node adopts;
 * of two documents the one with the higher version wins, ties broken by the originating node's name
 * and then the content digest, so all nodes pick the same one.
 *
 * @param version     increases with every change
 * @param origin      the node that made this version
 * @param maintenance true when Vigil must take no action anywhere
 * @param groups      the groups, in definition order
 * @param history     the latest changes, oldest first, at most {@link #HISTORY} (who made them, where, with what)
 */
public record ClusterDocument(long version, String origin, boolean maintenance, List<GroupDef> groups,
        List<Change> history) {

    /** The format written in {@code format}, checked on read. */
    public static final int FORMAT = 1;

    /** How many changes the history keeps: it travels with every copy of the document. */
    public static final int HISTORY = 16;

    /** Canonical constructor; checks that group and resource names are unique, keeps the newest changes. */
    public ClusterDocument {
        groups = List.copyOf(groups);
        history = List.copyOf(history.size() <= HISTORY ? history : history.subList(history.size() - HISTORY, history.size()));
        Map<String, String> resourceOwner = new HashMap<>();
        Map<String, Boolean> groupNames = new HashMap<>();
        for (GroupDef g : groups) {
            if (groupNames.put(g.name(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("group " + g.name() + " is defined twice");
            }
            for (ResourceDef r : g.resources()) {
                String prev = resourceOwner.put(r.name(), g.name());
                if (prev != null) {
                    throw new IllegalArgumentException("resource " + r.name() + " is in groups " + prev + " and " + g.name()
                            + ": resource names are unique in the cluster");
                }
            }
        }
    }

    /** A document without history (tests, and documents written before the history existed). */
    public ClusterDocument(long version, String origin, boolean maintenance, List<GroupDef> groups) {
        this(version, origin, maintenance, groups, List.of());
    }

    /** @return the empty document a new node starts from */
    public static ClusterDocument empty() {
        return new ClusterDocument(0, "", false, List.of());
    }

    /**
     * @param change who made this version, where and with what
     * @return this version with the change at the end of its history
     */
    public ClusterDocument recording(Change change) {
        List<Change> h = new ArrayList<>(history);
        h.add(change);
        return new ClusterDocument(version, origin, maintenance, groups, h);
    }

    /** @param name a group name; @return the group */
    public Optional<GroupDef> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** @param resource a resource name; @return the group holding it */
    public Optional<GroupDef> groupOf(String resource) {
        return groups.stream().filter(g -> g.indexOf(resource) >= 0).findFirst();
    }

    /**
     * @param origin the node making the change
     * @param change the change to the groups list
     * @return the next version
     */
    public ClusterDocument next(String origin, UnaryOperator<List<GroupDef>> change) {
        return new ClusterDocument(version + 1, origin, maintenance, change.apply(new ArrayList<>(groups)), history);
    }

    /** @param origin the node making the change; @param on the flag; @return the next version */
    public ClusterDocument nextWithMaintenance(String origin, boolean on) {
        return new ClusterDocument(version + 1, origin, on, groups, history);
    }

    /** @param name group name; @param fn change to that group; @return the next version */
    public ClusterDocument nextWithGroup(String origin, String name, UnaryOperator<GroupDef> fn) {
        return next(origin, list -> {
            for (int k = 0; k < list.size(); k++) {
                if (list.get(k).name().equals(name)) {
                    list.set(k, fn.apply(list.get(k)));
                    return list;
                }
            }
            throw new IllegalArgumentException("no group named " + name);
        });
    }

    /**
     * @param other another version of the document
     * @return true when this one should win over {@code other}
     */
    public boolean supersedes(ClusterDocument other) {
        if (version != other.version) {
            return version > other.version;
        }
        int c = origin.compareTo(other.origin);
        if (c != 0) {
            return c > 0;
        }
        return digest().compareTo(other.digest()) > 0;
    }

    /** @return the SHA-256 of the canonical JSON form, hex */
    public String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(toJson().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the canonical, compact JSON form */
    public String toJson() {
        return Json.write(toMap());
    }

    /** @return an indented JSON form for files and people */
    public String toPrettyJson() {
        return Json.writePretty(toMap());
    }

    private Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", (long) FORMAT);
        m.put("version", version);
        m.put("origin", origin);
        m.put("maintenance", maintenance);
        List<Object> gs = new ArrayList<>();
        for (GroupDef g : groups) {
            gs.add(g.toJson());
        }
        m.put("groups", gs);
        if (!history.isEmpty()) { // absent when empty: a document without history keeps its digest
            List<Object> hs = new ArrayList<>();
            for (Change c : history) {
                hs.add(c.toJson());
            }
            m.put("history", hs);
        }
        return m;
    }

    /**
     * @param json the JSON form
     * @return the document
     * @throws IllegalArgumentException naming the field when the text is not a valid document
     */
    public static ClusterDocument fromJson(String json) {
        return fromReader(new JsonReader(Json.parseObject(json), "document"));
    }

    /** @param r a reader over the document object; @return the document */
    public static ClusterDocument fromReader(JsonReader r) {
        long format = r.number("format", FORMAT);
        if (format != FORMAT) {
            throw r.error("format", "is " + format + "; this node understands format " + FORMAT);
        }
        List<GroupDef> groups = new ArrayList<>();
        for (JsonReader g : r.objects("groups")) {
            List<ResourceDef> rs = new ArrayList<>();
            for (JsonReader x : g.objects("resources")) {
                rs.add(new ResourceDef(x.string("name"), x.string("type"), x.stringMap("params")));
            }
            groups.add(new GroupDef(g.string("name"), rs, g.strings("preferredNodes"),
                    enumOf(GroupDef.Failback.class, g, "failback", "manual"),
                    g.number("failbackDelayMs", GroupDef.DEFAULT_FAILBACK_DELAY),
                    (int) g.number("maxRestarts", GroupDef.DEFAULT_MAX_RESTARTS),
                    g.number("restartWindowMs", GroupDef.DEFAULT_RESTART_WINDOW),
                    enumOf(GroupDef.Role.class, g, "role", "started"), g.bool("maintenance", false),
                    g.string("moveTo", null), g.number("cleanup", 0)));
        }
        List<Change> history = new ArrayList<>();
        for (JsonReader c : r.objects("history")) {
            history.add(Change.fromReader(c));
        }
        return new ClusterDocument(r.number("version", 0), r.string("origin", ""), r.bool("maintenance", false), groups,
                history);
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, JsonReader r, String key, String def) {
        String v = r.string(key, def);
        try {
            return Enum.valueOf(type, v.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw r.error(key, "is '" + v + "'; expected one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase());
        }
    }
}
