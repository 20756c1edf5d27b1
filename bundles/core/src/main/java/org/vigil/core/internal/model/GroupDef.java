package org.vigil.core.internal.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * A resource group: resources started in order and stopped in reverse on one node at a time, with its
 * placement and recovery policy and the admin's standing requests.
 *
 * @param name               the group's name
 * @param resources          the resources, in start order
 * @param preferredNodes     nodes in order of preference; nodes not listed come after, by name
 * @param failback           whether the group moves back to a more preferred node by itself
 * @param failbackDelayMillis how long a more preferred node must have been online before an automatic failback
 * @param maxRestarts        how many times a failed resource is restarted in place within the window before the group fails over
 * @param restartWindowMillis the window over which restarts are counted
 * @param role               whether the admin wants the group running at all (bring-in / bring-out)
 * @param maintenance        true when Vigil must take no action on this group
 * @param moveTo             a pending switchover: the node the admin asked the group to move to, or null
 * @param cleanup            incremented by {@code vigil:cleanup}: every node then forgets its failures for this group
 */
public record GroupDef(String name, List<ResourceDef> resources, List<String> preferredNodes, Failback failback,
        long failbackDelayMillis, int maxRestarts, long restartWindowMillis, Role role, boolean maintenance,
        String moveTo, long cleanup) {

    /** Whether a group returns to a more preferred node on its own. */
    public enum Failback { MANUAL, AUTO }

    /** Whether the admin wants the group running. */
    public enum Role { STARTED, STOPPED }

    /** Default number of in-place restarts before failover. */
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** Default restart-counting window. */
    public static final long DEFAULT_RESTART_WINDOW = 60_000;
    /** Default delay before an automatic failback. */
    public static final long DEFAULT_FAILBACK_DELAY = 30_000;

    /** Canonical constructor; checks names and copies lists. */
    public GroupDef {
        Names.check("group", name);
        resources = List.copyOf(resources);
        preferredNodes = List.copyOf(preferredNodes);
        Set<String> seen = new HashSet<>();
        for (ResourceDef r : resources) {
            if (!seen.add(r.name())) {
                throw new IllegalArgumentException("group " + name + " lists resource " + r.name() + " twice");
            }
        }
        for (String n : preferredNodes) {
            Names.check("node", n);
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("group " + name + ": max-restarts must be 0 or more");
        }
        if (restartWindowMillis <= 0 || failbackDelayMillis < 0) {
            throw new IllegalArgumentException("group " + name + ": restart-window must be positive and failback-delay not negative");
        }
    }

    /** @param name a new group's name; @return an empty group with default policy, started */
    public static GroupDef create(String name) {
        return new GroupDef(name, List.of(), List.of(), Failback.MANUAL, DEFAULT_FAILBACK_DELAY, DEFAULT_MAX_RESTARTS,
                DEFAULT_RESTART_WINDOW, Role.STARTED, false, null, 0);
    }

    /** @param r the resource; @return the index of the resource in this group, or -1 */
    public int indexOf(String r) {
        for (int k = 0; k < resources.size(); k++) {
            if (resources.get(k).name().equals(r)) {
                return k;
            }
        }
        return -1;
    }

    /** @param list new resources; @return a copy with them */
    public GroupDef withResources(List<ResourceDef> list) {
        return new GroupDef(name, list, preferredNodes, failback, failbackDelayMillis, maxRestarts, restartWindowMillis,
                role, maintenance, moveTo, cleanup);
    }

    /** @param nodes new preference order; @return a copy with it */
    public GroupDef withPreferredNodes(List<String> nodes) {
        return new GroupDef(name, resources, nodes, failback, failbackDelayMillis, maxRestarts, restartWindowMillis,
                role, maintenance, moveTo, cleanup);
    }

    /** @param f failback mode; @param delay failback delay; @return a copy with them */
    public GroupDef withFailback(Failback f, long delay) {
        return new GroupDef(name, resources, preferredNodes, f, delay, maxRestarts, restartWindowMillis, role,
                maintenance, moveTo, cleanup);
    }

    /** @param max restarts; @param window window; @return a copy with them */
    public GroupDef withRestarts(int max, long window) {
        return new GroupDef(name, resources, preferredNodes, failback, failbackDelayMillis, max, window, role,
                maintenance, moveTo, cleanup);
    }

    /** @param r role; @param move pending switchover target or null; @return a copy with them */
    public GroupDef withRole(Role r, String move) {
        return new GroupDef(name, resources, preferredNodes, failback, failbackDelayMillis, maxRestarts,
                restartWindowMillis, r, maintenance, move, cleanup);
    }

    /** @param on maintenance flag; @return a copy with it */
    public GroupDef withMaintenance(boolean on) {
        return new GroupDef(name, resources, preferredNodes, failback, failbackDelayMillis, maxRestarts,
                restartWindowMillis, role, on, moveTo, cleanup);
    }

    /** @return a copy whose cleanup counter is one higher */
    public GroupDef withCleanup() {
        return new GroupDef(name, resources, preferredNodes, failback, failbackDelayMillis, maxRestarts,
                restartWindowMillis, role, maintenance, moveTo, cleanup + 1);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        List<Object> rs = new ArrayList<>();
        for (ResourceDef r : resources) {
            rs.add(r.toJson());
        }
        m.put("resources", rs);
        m.put("preferredNodes", preferredNodes);
        m.put("failback", failback.name().toLowerCase());
        m.put("failbackDelayMs", failbackDelayMillis);
        m.put("maxRestarts", (long) maxRestarts);
        m.put("restartWindowMs", restartWindowMillis);
        m.put("role", role.name().toLowerCase());
        m.put("maintenance", maintenance);
        if (moveTo != null) {
            m.put("moveTo", moveTo);
        }
        m.put("cleanup", cleanup);
        return m;
    }
}
