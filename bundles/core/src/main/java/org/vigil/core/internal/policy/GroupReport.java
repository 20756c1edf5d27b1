package org.vigil.core.internal.policy;

import java.util.Map;
import org.vigil.core.internal.model.Sorted;

/**
 * What a node reports about one group on itself.
 *
 * @param resources the state of every resource of the group that is not {@link ResourceState#STOPPED} there
 * @param banned    true when the group failed on that node beyond its restart limit (or failed to start):
 *                  it may not run there until the admin cleans up
 * @param note       why it is banned, or a last failure, for the status
 * @param restarting true while that node restarts the group in place after a failure: it keeps the group even
 *                   when, between the stop of the failed resource and its start, nothing of it runs there
 */
public record GroupReport(Map<String, ResourceState> resources, boolean banned, String note, boolean restarting) {

    /** Canonical constructor; copies the map. */
    public GroupReport {
        resources = Sorted.copyOf(resources);
        note = note == null ? "" : note;
    }

    /** A report of a group not being restarted in place. */
    public GroupReport(Map<String, ResourceState> resources, boolean banned, String note) {
        this(resources, banned, note, false);
    }

    /**
     * @return true when something of the group may run on that node, or the node holds it while restarting it
     *         in place (so no other node takes it meanwhile, and the node stays the group's holder)
     */
    public boolean isActive() {
        return !resources.isEmpty() || restarting;
    }

    /** @param s a state; @return true when any resource is in it */
    public boolean any(ResourceState s) {
        return resources.containsValue(s);
    }
}
