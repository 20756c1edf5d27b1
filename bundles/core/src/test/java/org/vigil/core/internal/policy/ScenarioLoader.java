package org.vigil.core.internal.policy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.json.Json;
import org.vigil.core.internal.json.JsonReader;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/**
 * Reads a golden scenario's {@code input.json} into a {@link Snapshot}. The local node's report is built
 * from {@code localResources} the way the engine builds it, so a scenario cannot contradict itself.
 */
public final class ScenarioLoader {

    private ScenarioLoader() {
    }

    /** @param json a scenario's input.json; @return the snapshot it describes */
    public static Snapshot load(String json) {
        JsonReader in = new JsonReader(Json.parseObject(json), "scenario");
        String local = in.string("local");
        long now = in.number("now", 100_000);
        ClusterDocument doc = ClusterDocument.fromReader(in.object("document"));
        QuorumView quorum = QuorumView.NOT_CONFIGURED;
        if (in.has("quorum")) {
            JsonReader q = in.object("quorum");
            quorum = new QuorumView(q.bool("configured", true), q.bool("has", true), q.bool("mayFence", q.bool("has", true)),
                    (int) q.number("votes", 0), (int) q.number("total", 0), q.string("detail", ""), q.number("lossStop", 5000));
        }

        Map<String, LocalResource> localRes = new HashMap<>();
        JsonReader lr = in.object("localResources");
        JsonReader localNode = in.object("nodes").object(local);
        Set<String> localTypes = new HashSet<>(localNode.strings("types"));
        for (GroupDef g : doc.groups()) {
            for (ResourceDef r : g.resources()) {
                JsonReader x = lr.object(r.name());
                localRes.put(r.name(), new LocalResource(r.name(),
                        ResourceState.valueOf(x.string("state", "STOPPED")), x.number("lastMonitor", now),
                        x.number("interval", 1000), localTypes.contains(r.type())));
            }
        }
        for (String name : lr.map().keySet()) {
            if (!localRes.containsKey(name)) { // an orphan
                JsonReader x = lr.object(name);
                localRes.put(name, new LocalResource(name, ResourceState.valueOf(x.string("state")),
                        x.number("lastMonitor", now), x.number("interval", 1000), true));
            }
        }

        Map<String, NodeView> nodes = new LinkedHashMap<>();
        JsonReader ns = in.object("nodes");
        for (String name : ns.map().keySet()) {
            JsonReader n = ns.object(name);
            Map<String, GroupReport> groups = new LinkedHashMap<>();
            if (name.equals(local)) {
                Set<String> banned = new HashSet<>(n.strings("banned"));
                Set<String> restarting = new HashSet<>(n.strings("restarting"));
                for (GroupDef g : doc.groups()) {
                    Map<String, ResourceState> active = new LinkedHashMap<>();
                    for (ResourceDef r : g.resources()) {
                        ResourceState st = localRes.get(r.name()).state();
                        if (st.isActive()) {
                            active.put(r.name(), st);
                        }
                    }
                    if (!active.isEmpty() || banned.contains(g.name()) || restarting.contains(g.name())) {
                        groups.put(g.name(), new GroupReport(active, banned.contains(g.name()), "",
                                restarting.contains(g.name())));
                    }
                }
            } else {
                JsonReader gs = n.object("groups");
                for (String gname : gs.map().keySet()) {
                    JsonReader g = gs.object(gname);
                    Map<String, ResourceState> res = new LinkedHashMap<>();
                    g.stringMap("resources").forEach((k, v) -> res.put(k, ResourceState.valueOf(v)));
                    groups.put(gname, new GroupReport(res, g.bool("banned", false), g.string("note", ""),
                            g.bool("restarting", false)));
                }
            }
            boolean settled = name.equals(local) ? in.bool("settled", true) : n.bool("settled", true);
            boolean quorate = name.equals(local) ? quorum.has() : n.bool("quorate", true);
            long selfFence = name.equals(local) ? quorum.lossStopMillis() : n.number("selfFence", -1);
            PublicNetwork pub = n.has("public") ? new PublicNetwork(PublicNetwork.State.valueOf(n.string("public")),
                    n.string("publicDetail", ""), n.number("publicDampen", 0)) : PublicNetwork.NOT_WATCHED;
            long version = name.equals(local) ? doc.version() : n.number("documentVersion", doc.version());
            NodeReport report = new NodeReport(version, new HashSet<>(n.strings("types")), settled, groups,
                    quorate, selfFence, null, pub, n.number("lease", -1));
            Membership m = name.equals(local) ? Membership.ONLINE
                    : Membership.valueOf(n.string("membership", "ONLINE"));
            NodeView.Loss loss = m == Membership.LOST && (n.has("lostAt") || n.has("proof") || n.has("fenceDevice"))
                    ? new NodeView.Loss(n.number("lostAt", now), n.has("proof") ? n.string("proof") : null,
                            n.bool("fenceDevice", false), n.number("leaseUntil", Long.MIN_VALUE),
                            n.has("proofKind") ? StopProof.Kind.valueOf(n.string("proofKind")) : null,
                            n.bool("addressSilent", false))
                    : null;
            nodes.put(name, new NodeView(name, m, n.number("onlineSince", 0), report, loss, n.number("publicLostSince", 0)));
        }
        return new Snapshot(local, now, in.bool("settled", true), doc, nodes, localRes, new HashSet<>(in.strings("busy")),
                quorum, in.has("restarting") ? new HashSet<>(in.strings("restarting")) : Set.of());
    }

    static String describe(String json) {
        return new JsonReader(Json.parseObject(json), "scenario").string("description");
    }
}
