package org.vigil.core.internal.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vigil.core.internal.json.JsonReader;

/**
 * One entry of the cluster document's history: who changed it, where, when and with what command, so that every
 * node shows who moved a group or removed a resource, whichever node the admin typed it on (the REST API's audit log
 * holds the same for its requests).
 *
 * @param version the document version this change made
 * @param node    the node the command ran on
 * @param user    the authenticated user (Karaf's JAAS login, SSH or REST), or "-" when none (a local console)
 * @param at      when, in milliseconds since the epoch, on that node's clock
 * @param what    the command and what it named, e.g. {@code vigil:switchover web}
 */
public record Change(long version, String node, String user, long at, String what) {

    /** Longest user or command text kept: an entry travels in every copy of the document. */
    static final int MAX_TEXT = 120;

    /** Canonical constructor; shortens long texts and makes control characters visible. */
    public Change {
        node = shorten(node);
        user = user == null || user.isBlank() ? "-" : shorten(user);
        what = shorten(what);
    }

    private static String shorten(String s) {
        String t = s == null ? "" : Text.escape(s);
        return t.length() <= MAX_TEXT ? t : t.substring(0, MAX_TEXT - 3) + "...";
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("node", node);
        m.put("user", user);
        m.put("at", at);
        m.put("what", what);
        return m;
    }

    static Change fromReader(JsonReader r) {
        return new Change(r.number("version", 0), r.string("node", ""), r.string("user", "-"), r.number("at", 0),
                r.string("what", ""));
    }
}
