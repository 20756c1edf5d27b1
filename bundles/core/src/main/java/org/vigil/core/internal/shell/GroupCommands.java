package org.vigil.core.internal.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.Names;

/** Commands that define groups. */
public final class GroupCommands {

    private GroupCommands() {
    }

    /** Options shared by group-add and group-set. */
    abstract static class GroupOptions extends ClusterAction {
        @Option(name = "--preferred", description = "Nodes in order of preference, comma-separated (default: any, by name)")
        @Completion(Completers.Nodes.class)
        String preferred;

        @Option(name = "--failback", description = "manual (default) or auto: return to a more preferred node by itself")
        String failback;

        @Option(name = "--failback-delay", description = "Seconds a more preferred node must be up before an automatic failback (default 30)")
        Long failbackDelay;

        @Option(name = "--max-restarts", description = "In-place restarts of a failed resource before the group fails over (default 3)")
        Integer maxRestarts;

        @Option(name = "--restart-window", description = "Seconds over which restarts are counted (default 60)")
        Long restartWindow;

        GroupDef apply(GroupDef g) {
            if (preferred != null) {
                var nodes = Commands.nodes(preferred);
                nodes.forEach(n -> Names.check("node", n));
                g = g.withPreferredNodes(nodes);
            }
            if (failback != null || failbackDelay != null) {
                GroupDef.Failback f = g.failback();
                if (failback != null) {
                    switch (failback.toLowerCase()) {
                        case "manual" -> f = GroupDef.Failback.MANUAL;
                        case "auto" -> f = GroupDef.Failback.AUTO;
                        default -> throw new IllegalArgumentException("--failback must be manual or auto (got '" + failback + "')");
                    }
                }
                g = g.withFailback(f, failbackDelay == null ? g.failbackDelayMillis()
                        : Commands.seconds("--failback-delay", failbackDelay));
            }
            if (maxRestarts != null || restartWindow != null) {
                if (maxRestarts != null && maxRestarts < 0) {
                    throw new IllegalArgumentException("--max-restarts must be 0 or more (got " + maxRestarts + ")");
                }
                long window = restartWindow == null ? g.restartWindowMillis() : Commands.seconds("--restart-window", restartWindow);
                if (window == 0) {
                    throw new IllegalArgumentException("--restart-window must be at least 1 second");
                }
                g = g.withRestarts(maxRestarts == null ? g.maxRestarts() : maxRestarts, window);
            }
            return g;
        }
    }

    /** {@code vigil:group-add}. */
    @Command(scope = "vigil", name = "group-add", description = "Defines a new resource group (empty; add resources with vigil:resource-add)")
    @Service
    public static class Add extends GroupOptions {
        @Argument(index = 0, name = "group", required = true, description = "The new group's name")
        String name;

        @Option(name = "--stopped", description = "Define it brought out: it does not start until vigil:bring-in")
        boolean stopped;

        @Override
        protected Object run() {
            Names.check("group", name);
            ClusterDocument d = cluster.change(user(), what(name), doc -> {
                if (doc.group(name).isPresent()) {
                    throw new IllegalArgumentException("a group named '" + name + "' already exists");
                }
                GroupDef g = apply(GroupDef.create(name));
                if (stopped) {
                    g = g.withRole(GroupDef.Role.STOPPED, null);
                }
                GroupDef fg = g;
                return doc.next(cluster.nodeName(), list -> {
                    list.add(fg);
                    return list;
                });
            });
            System.out.println("group " + name + " defined (document version " + d.version() + ")");
            return null;
        }
    }

    /** {@code vigil:group-set}. */
    @Command(scope = "vigil", name = "group-set", description = "Changes a group's placement and recovery policy")
    @Service
    public static class Set extends GroupOptions {
        @Argument(index = 0, name = "group", required = true, description = "The group")
        @Completion(Completers.Groups.class)
        String name;

        @Override
        protected Object run() {
            Commands.group(cluster, name);
            ClusterDocument d = cluster.change(user(), what(name), doc -> doc.nextWithGroup(cluster.nodeName(), name, this::apply));
            System.out.println("group " + name + " changed (document version " + d.version() + ")");
            return null;
        }
    }

    /** {@code vigil:group-remove}. */
    @Command(scope = "vigil", name = "group-remove", description = "Removes a group; it must be brought out first unless --force")
    @Service
    public static class Remove extends GroupAction {
        @Option(name = "--force", description = "Remove it even while it runs (its resources are stopped)")
        boolean force;

        @Override
        protected Object run() {
            GroupDef g = Commands.group(cluster, group);
            if (g.role() == GroupDef.Role.STARTED && !force && !g.resources().isEmpty()) {
                throw new IllegalArgumentException("group " + group + " is brought in; run vigil:bring-out " + group
                        + " first, or use --force");
            }
            ClusterDocument d = cluster.change(user(), what(group), doc -> doc.next(cluster.nodeName(), list -> {
                list.removeIf(x -> x.name().equals(group));
                return list;
            }));
            System.out.println("group " + group + " removed (document version " + d.version() + ")");
            return null;
        }
    }
}
