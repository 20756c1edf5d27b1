package org.vigil.core.internal.engine;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vigil.core.internal.json.Json;
import org.vigil.core.internal.json.JsonReader;
import org.vigil.core.internal.model.Text;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.policy.ResourceState;

/**
 * The heartbeat payload: a node's {@link NodeReport} plus the digest of its document and whether it is
 * leaving the cluster cleanly.
 *
 * <p>A payload always fits the path it is sent on ({@link #encode(int)}): what does not fit is left out in a
 * fixed order, notes first; a report whose groups alone do not fit goes out as a liveness-only heartbeat (no
 * groups: {@link #complete()} false), which keeps the sender online but leaves its last complete report in
 * force. A silent sender would look dead, and its peer would start its groups.
 *
 * @param report          the report
 * @param documentDigest  the digest of the sender's cluster document
 * @param leaving         true when the sender has stopped its resources and is shutting down
 * @param complete        false for a liveness-only heartbeat: its groups did not fit the path, {@code report}
 *                        has none and must not replace the sender's last complete report
 */
public record WireReport(NodeReport report, String documentDigest, boolean leaving, boolean complete) {

    /** Notes are cut to this many characters when the whole report does not fit. */
    static final int SHORT_NOTE = 60;

    /** A complete report. */
    public WireReport(NodeReport report, String documentDigest, boolean leaving) {
        this(report, documentDigest, leaving, true);
    }

    /** @return the compact JSON bytes of the whole report */
    public byte[] encode() {
        return encode(Integer.MAX_VALUE);
    }

    /**
     * The report within a budget, each step only when the previous does not fit: the whole report; notes cut
     * to {@value #SHORT_NOTE} characters; no notes (groups only active or banned); liveness only (no groups).
     * The same report and budget always give the same bytes.
     *
     * @param maxBytes the largest payload the path carries
     * @return the JSON bytes; longer than {@code maxBytes} only when even the liveness-only form is
     */
    public byte[] encode(int maxBytes) {
        byte[] b = encode(Integer.MAX_VALUE, true);
        if (b.length <= maxBytes) {
            return b;
        }
        b = encode(SHORT_NOTE, true);
        if (b.length <= maxBytes) {
            return b;
        }
        b = encode(0, true);
        return b.length <= maxBytes ? b : encode(0, false);
    }

    private byte[] encode(int noteMax, boolean withGroups) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dv", report.documentVersion());
        m.put("dd", documentDigest);
        m.put("t", new java.util.TreeSet<>(report.types()));
        m.put("s", report.settled());
        m.put("l", leaving);
        m.put("q", report.quorate());
        m.put("sf", report.selfFenceMillis());
        if (report.leaseMillis() > 0) {
            m.put("ls", report.leaseMillis()); // the lease promise; an older node ignores it
        }
        if (report.hears() != null) {
            m.put("h", new java.util.TreeSet<>(report.hears()));
        }
        if (report.publicNetwork().state() != PublicNetwork.State.NOT_WATCHED) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("s", report.publicNetwork().state().name());
            p.put("d", report.publicNetwork().detail());
            p.put("w", report.publicNetwork().dampenMillis());
            m.put("p", p);
        }
        if (!withGroups || !complete) {
            return Json.write(m).getBytes(StandardCharsets.UTF_8); // liveness only: no "g", which older nodes reject
        }
        Map<String, Object> gs = new TreeMap<>();
        report.groups().forEach((name, g) -> {
            if (noteMax == 0 && !g.isActive() && !g.banned()) {
                return; // a group with only a note: absent means the same (nothing of it here)
            }
            Map<String, Object> gm = new LinkedHashMap<>();
            Map<String, Object> rs = new TreeMap<>();
            g.resources().forEach((r, st) -> rs.put(r, st.name()));
            gm.put("r", rs);
            gm.put("b", g.banned());
            if (!g.note().isEmpty() && noteMax > 0) {
                gm.put("n", Text.summary(g.note(), Math.min(noteMax, Text.NOTE_MAX)));
            }
            if (g.restarting()) {
                gm.put("i", true); // restarting in place; an older node ignores it
            }
            gs.put(name, gm);
        });
        m.put("g", gs);
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param payload the bytes of an authenticated heartbeat
     * @return the report
     * @throws IllegalArgumentException when the payload is not a valid report
     */
    public static WireReport decode(byte[] payload) {
        JsonReader r = new JsonReader(Json.parseObject(new String(payload, StandardCharsets.UTF_8)), "heartbeat");
        Map<String, GroupReport> groups = new LinkedHashMap<>();
        boolean complete = r.has("g");
        JsonReader gs = complete ? r.object("g") : new JsonReader(Map.of(), "heartbeat.g");
        for (String name : gs.map().keySet()) {
            JsonReader g = gs.object(name);
            Map<String, ResourceState> res = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : g.stringMap("r").entrySet()) {
                try {
                    res.put(e.getKey(), ResourceState.valueOf(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    throw g.error("r." + e.getKey(), "has unknown state " + e.getValue());
                }
            }
            // a peer's note is shown on this node's terminal: bounded and escaped whatever the peer sent
            groups.put(name, new GroupReport(res, g.bool("b", false), Text.summary(g.string("n", ""), Text.NOTE_MAX),
                    g.bool("i", false)));
        }
        List<String> types = r.strings("t");
        java.util.Set<String> hears = r.has("h") ? new java.util.HashSet<>(r.strings("h")) : null;
        PublicNetwork pub = PublicNetwork.NOT_WATCHED;
        if (r.has("p")) {
            JsonReader p = r.object("p");
            try {
                pub = new PublicNetwork(PublicNetwork.State.valueOf(p.string("s")), p.string("d", ""), p.number("w", 0));
            } catch (IllegalArgumentException ex) {
                throw p.error("s", "has unknown public network state " + p.string("s"));
            }
        }
        NodeReport report = new NodeReport(r.number("dv", 0), new java.util.HashSet<>(types), r.bool("s", false), groups,
                r.bool("q", true), r.number("sf", -1), hears, pub, r.number("ls", -1));
        return new WireReport(report, r.string("dd", ""), r.bool("l", false), complete);
    }
}
