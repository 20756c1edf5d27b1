package org.vigil.core.internal.shell;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;
import org.vigil.core.internal.policy.NodeView;

/** The admin's operations on running groups: bring-in, bring-out, switchover, maintenance, cleanup. */
public final class AdminCommands {

    private AdminCommands() {
    }

    static void checkCanHost(ClusterService c, GroupDef g, String node) {
        EngineStatus st = c.engineStatus();
        NodeView v = st == null ? null : st.snapshot().nodes().get(node);
        if (v == null || !v.membership().isUp()) {
            throw new IllegalArgumentException("node " + node + " is not online (nodes: "
                    + String.join(", ", st == null ? List.of() : st.snapshot().nodes().keySet()) + ")");
        }
        for (ResourceDef r : g.resources()) {
            if (!v.report().types().contains(r.type())) {
                throw new IllegalArgumentException("node " + node + " cannot run group " + g.name() + ": resource type "
                        + r.type() + " is not installed there");
            }
        }
        if (v.report().group(g.name()).banned()) {
            throw new IllegalArgumentException("group " + g.name() + " is banned on " + node + " after failures ("
                    + v.report().group(g.name()).note() + "); run vigil:cleanup " + g.name() + " first");
        }
    }

    static String holder(ClusterService c, String group) {
        EngineStatus st = c.engineStatus();
        if (st == null) {
            return null;
        }
        return st.snapshot().nodes().values().stream().filter(n -> n.membership().isUp())
                .filter(n -> n.report().group(group).isActive()).map(NodeView::name).sorted().findFirst().orElse(null);
    }

    static void await(ClusterService c, String group, String node, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            EngineStatus st = c.engineStatus();
            GroupDef g = c.document().group(group).orElse(null);
            if (st != null && g != null) {
                NodeView v = st.snapshot().nodes().get(node);
                boolean all = v != null && g.resources().stream().allMatch(r ->
                        v.report().group(group).resources().get(r.name()) == org.vigil.core.internal.policy.ResourceState.RUNNING);
                boolean elsewhere = st.snapshot().nodes().values().stream().anyMatch(n -> !n.name().equals(node)
                        && n.membership().isUp() && n.report().group(group).isActive());
                if (all && !elsewhere) {
                    System.out.println("group " + group + " runs on " + node);
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("group " + group + " did not come up on " + node + " within " + seconds
                + " s; see vigil:status");
    }

    /** {@code vigil:bring-in}. */
    @Command(scope = "vigil", name = "bring-in", description = "Starts a group (on a given node, or where the policy places it)")
    @Service
    public static class BringIn extends GroupAction {
        @Argument(index = 1, name = "node", description = "The node to start it on")
        @Completion(Completers.Nodes.class)
        String node;

        @Option(name = "--wait", description = "Wait up to this many seconds until it runs")
        int wait;

        @Override
        protected Object run() throws InterruptedException {
            GroupDef g = Commands.group(cluster, group);
            if (node != null) {
                checkCanHost(cluster, g, node);
            }
            ClusterDocument d = changeGroup(x -> x.withRole(GroupDef.Role.STARTED, node), group, node);
            System.out.println("group " + group + " brought in" + (node == null ? "" : " on " + node)
                    + " (document version " + d.version() + ")");
            if (wait > 0) {
                String target = node;
                long end = System.nanoTime() + wait * 1_000_000_000L;
                while (target == null && System.nanoTime() < end) {
                    var pl = cluster.engineStatus().decision().placements().get(group);
                    target = pl == null ? null : pl.target();
                    Thread.sleep(50);
                }
                if (target == null) {
                    throw new IllegalStateException("no node can run group " + group + "; see vigil:status");
                }
                await(cluster, group, target, (int) Math.max(1, (end - System.nanoTime()) / 1_000_000_000L));
            }
            return null;
        }
    }

    /** {@code vigil:bring-out}. */
    @Command(scope = "vigil", name = "bring-out", description = "Stops a group wherever it runs; it does not fail over until brought in again")
    @Service
    public static class BringOut extends GroupAction {
        @Override
        protected Object run() {
            Commands.group(cluster, group);
            ClusterDocument d = changeGroup(x -> x.withRole(GroupDef.Role.STOPPED, null), group);
            System.out.println("group " + group + " brought out (document version " + d.version() + ")");
            return null;
        }
    }

    /** {@code vigil:switchover}. */
    @Command(scope = "vigil", name = "switchover", description = "Moves a running group to another node (planned: stop here in reverse order, start there in order)")
    @Service
    public static class Switchover extends GroupAction {
        @Argument(index = 1, name = "node", description = "The node to move it to (default: the next eligible node)")
        @Completion(Completers.Nodes.class)
        String node;

        @Option(name = "--wait", description = "Wait up to this many seconds until it runs on the target")
        int wait;

        @Override
        protected Object run() throws InterruptedException {
            GroupDef g = Commands.group(cluster, group);
            if (g.role() == GroupDef.Role.STOPPED) {
                throw new IllegalArgumentException("group " + group + " is brought out; use vigil:bring-in " + group + " <node>");
            }
            String from = holder(cluster, group);
            String to = node;
            if (to == null) {
                to = cluster.engineStatus().snapshot().nodes().values().stream()
                        .filter(n -> n.membership().isUp() && !n.name().equals(from)).map(NodeView::name)
                        .filter(n -> {
                            try {
                                checkCanHost(cluster, g, n);
                                return true;
                            } catch (IllegalArgumentException e) {
                                return false;
                            }
                        }).sorted().findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no other node can run group " + group));
            }
            if (to.equals(from)) {
                throw new IllegalArgumentException("group " + group + " already runs on " + to);
            }
            checkCanHost(cluster, g, to);
            String target = to;
            ClusterDocument d = changeGroup(x -> x.withRole(GroupDef.Role.STARTED, target), group, target);
            System.out.println("switchover of " + group + (from == null ? "" : " from " + from) + " to " + to
                    + " requested (document version " + d.version() + ")");
            if (wait > 0) {
                await(cluster, group, to, wait);
            }
            return null;
        }
    }

    /** {@code vigil:maintenance}. */
    @Command(scope = "vigil", name = "maintenance", description = "Maintenance mode on or off, for the cluster or one group: Vigil takes no action, resources stay as they are")
    @Service
    public static class Maintenance extends ClusterAction {
        @Argument(index = 0, name = "on|off", required = true, description = "on or off")
        String mode;

        @Option(name = "--group", description = "Only this group")
        @Completion(Completers.Groups.class)
        String group;

        @Override
        protected Object run() {
            boolean on = switch (mode.toLowerCase()) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new IllegalArgumentException("expected on or off, got '" + mode + "'");
            };
            ClusterDocument d;
            if (group == null) {
                d = cluster.change(user(), what(on ? "on" : "off"), doc -> doc.nextWithMaintenance(cluster.nodeName(), on));
            } else {
                Commands.group(cluster, group);
                d = cluster.change(user(), what(group, on ? "on" : "off"), doc -> doc.nextWithGroup(cluster.nodeName(), group, x -> x.withMaintenance(on)));
            }
            System.out.println("maintenance " + (on ? "on" : "off") + (group == null ? " for the cluster" : " for group " + group)
                    + " (document version " + d.version() + ")" + (on ? "" : "; resources are probed again"));
            return null;
        }
    }

    /** {@code vigil:cleanup}. */
    @Command(scope = "vigil", name = "cleanup", description = "Forgets a group's failures and bans on every node (after you fixed the cause)")
    @Service
    public static class Cleanup extends GroupAction {
        @Override
        protected Object run() {
            Commands.group(cluster, group);
            ClusterDocument d = changeGroup(GroupDef::withCleanup, group);
            System.out.println("failures of group " + group + " cleared on every node (document version " + d.version() + ")");
            return null;
        }
    }

    /** {@code vigil:document}. */
    @Command(scope = "vigil", name = "document", description = "Prints the cluster document (every group and resource) as JSON")
    @Service
    public static class Document extends ClusterAction {
        @Override
        protected Object run() {
            System.out.print(cluster.document().toPrettyJson());
            return null;
        }
    }
}
