package org.vigil.core.internal.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.Text;
import org.vigil.core.internal.policy.ResourceState;

/**
 * What this node runs and what it remembers of its groups (failures, bans, notes, restarts in place), as the
 * engine thread sees it. Engine thread only.
 */
final class LocalState {

    private static final Logger LOG = LoggerFactory.getLogger(LocalState.class);
    /** How many recent failures the status shows. */
    private static final int RECENT_FAILURES = 10;

    private final DocumentStore docs;
    private final Map<String, Local> local = new TreeMap<>();
    private final Map<String, GroupLocal> groupState = new HashMap<>();
    private final InPlaceRestarts inPlace = new InPlaceRestarts();
    private final Deque<String> recentFailures = new ArrayDeque<>();
    private final org.vigil.core.internal.stats.OperationTimes times = new org.vigil.core.internal.stats.OperationTimes();
    private final org.vigil.core.internal.stats.GroupCounters groupCounters = new org.vigil.core.internal.stats.GroupCounters();

    /** @param docs the cluster document (whose groups {@link #runsHere} reads) */
    LocalState(DocumentStore docs) {
        this.docs = docs;
    }

    /** @return how long this node's resource operations took */
    org.vigil.core.internal.stats.OperationTimes times() {
        return times;
    }

    /** @return the groups this node took over and restarted */
    org.vigil.core.internal.stats.GroupCounters groupCounters() {
        return groupCounters;
    }

    /** @param name a resource; @return its state here, or null when this node does not know it */
    Local resource(String name) {
        return local.get(name);
    }

    /** @return every resource this node knows, by name */
    Collection<Local> resources() {
        return local.values();
    }

    /** @param l a resource this node learnt of */
    void add(Local l) {
        local.put(l.name, l);
    }

    /** @param defined the resources of the document: stopped ones outside it are forgotten, active ones stay */
    void forgetStoppedOrphans(Set<String> defined) {
        local.values().removeIf(l -> !defined.contains(l.name) && !l.state.isActive() && l.op == null);
    }

    /** @param g a group; @return its history here, created on first use */
    GroupLocal group(String g) {
        return groupState.computeIfAbsent(g, k -> new GroupLocal());
    }

    /** @param g a group; @return its history here, or null when there is none */
    GroupLocal groupIfKnown(String g) {
        return groupState.get(g);
    }

    /** @param groups the groups of the document: the history of any other is forgotten */
    void retainGroups(Collection<String> groups) {
        groupState.keySet().retainAll(groups);
    }

    /** @return the groups restarting in place here */
    InPlaceRestarts inPlace() {
        return inPlace;
    }

    /** @return true when no local resource is active or busy */
    boolean idle() {
        return local.values().stream().noneMatch(l -> l.state.isActive() || l.op != null);
    }

    /** @return the latest failures and bans, oldest first, for the status */
    List<String> recentFailures() {
        return List.copyOf(recentFailures);
    }

    /** @param g a group that may no longer run here; @param reason why (it rides in heartbeats, bounded) */
    void ban(String g, String reason) {
        GroupLocal gl = group(g);
        gl.banned = Text.summary(reason, Text.NOTE_MAX); // it rides in every heartbeat: bounded; the log has it all
        inPlace.release(g);
        remember(g + ": " + gl.banned, "group " + g + " banned here: " + reason);
    }

    /** @param g a group; @param note what happened to it here (shown until the next note or a cleanup) */
    void note(String g, String note) {
        GroupLocal gl = group(g);
        gl.lastNote = Text.summary(note, Text.NOTE_MAX);
        remember(g + ": " + gl.lastNote, "group " + g + ": " + note);
    }

    private void remember(String failure, String full) {
        LOG.warn("{}", Text.escape(full));
        recentFailures.addLast(Instant.now().toString().substring(0, 19) + " " + failure);
        while (recentFailures.size() > RECENT_FAILURES) {
            recentFailures.removeFirst();
        }
    }

    /** @param g a group; @return true when every resource of it runs here */
    boolean runsHere(String g) {
        GroupDef gd = docs.current().group(g).orElse(null);
        return gd != null && gd.resources().stream().allMatch(r -> {
            Local l = local.get(r.name());
            return l != null && l.state == ResourceState.RUNNING;
        });
    }

    /** @return the groups restarting in place here (held by {@link InPlaceRestarts} until they run whole again) */
    Set<String> restarting(ClusterDocument doc) {
        Set<String> out = new HashSet<>();
        for (GroupDef g : doc.groups()) {
            if (inPlace.holds(g.name())) {
                out.add(g.name());
            }
        }
        return out;
    }
}
