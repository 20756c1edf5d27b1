package org.vigil.core.internal.policy;

import java.util.Map;

/**
 * What a node reports about one group on itself.
 *
 * @param resources the state of every resource of the group that is not {@link ResourceState#STOPPED} there
 * @param banned    true when the group failed on that node beyond its restart limit (or failed to start):
 *                  it may not run there until the admin cleans up
 * @param note      why it is banned, or a last failure, for the status
 */
public record GroupReport(Map<String, ResourceState> resources, boolean banned, String note) {

    /** Canonical constructor; copies the map. */
    public GroupReport {
        resources = Map.copyOf(resources);
        note = note == null ? "" : note;
    }

    /** @return true when something of the group may run on that node */
    public boolean isActive() {
        return !resources.isEmpty();
    }

    /** @param s a state; @return true when any resource is in it */
    public boolean any(ResourceState s) {
        return resources.containsValue(s);
    }
}
