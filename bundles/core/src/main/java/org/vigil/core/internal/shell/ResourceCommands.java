package org.vigil.core.internal.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.vigil.api.ParameterDescription;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.Names;
import org.vigil.core.internal.model.Text;
import org.vigil.core.internal.model.ResourceDef;

/** Commands that define resources and list the installed types. */
public final class ResourceCommands {

    private ResourceCommands() {
    }

    /** {@code vigil:resource-add}. */
    @Command(scope = "vigil", name = "resource-add", description = "Adds a resource to a group (at the end of its start order, or before another)")
    @Service
    public static class Add extends GroupAction {
        @Argument(index = 1, name = "resource", required = true, description = "The new resource's name, unique in the cluster")
        String name;

        @Argument(index = 2, name = "type", required = true, description = "The resource type (see vigil:resource-types)")
        @Completion(Completers.Types.class)
        String type;

        @Argument(index = 3, name = "parameters", multiValued = true, description = "Parameters as name=value")
        List<String> params;

        @Option(name = "--before", description = "Insert before this resource instead of at the end")
        @Completion(Completers.Resources.class)
        String before;

        @Override
        protected Object run() {
            Names.check("resource", name);
            Commands.group(cluster, group);
            Map<String, String> p = parameters(params);
            List<String> problems = cluster.validateResource(type, p);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("resource " + name + " not added:\n  " + String.join("\n  ", problems));
            }
            ClusterDocument d = cluster.change(user(), what(group, name, type), doc -> {
                doc.groupOf(name).ifPresent(g -> {
                    throw new IllegalArgumentException("a resource named '" + name + "' already exists (in group " + g.name() + ")");
                });
                return doc.nextWithGroup(cluster.nodeName(), group, g -> {
                    List<ResourceDef> rs = new ArrayList<>(g.resources());
                    int at = rs.size();
                    if (before != null) {
                        at = g.indexOf(before);
                        if (at < 0) {
                            throw new IllegalArgumentException("--before: group " + group + " has no resource " + before);
                        }
                    }
                    rs.add(at, new ResourceDef(name, type, p));
                    return g.withResources(rs);
                });
            });
            System.out.println("resource " + name + " added to group " + group + " (document version " + d.version() + ")");
            return null;
        }
    }

    /**
     * @param given name=value arguments, or null
     * @return them in order
     * @throws IllegalArgumentException naming one that is not name=value, holds a control character, or is given twice
     */
    static Map<String, String> parameters(List<String> given) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String kv : given == null ? List.<String>of() : given) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("parameter '" + kv + "' is not name=value");
            }
            String k = kv.substring(0, eq).trim();
            Text.checkNoControls("parameter name '" + Text.escape(k) + "'", k);
            Text.checkNoControls("parameter " + k, kv.substring(eq + 1)); // they would reach terminals and logs
            if (p.put(k, kv.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("parameter " + k + " is given twice");
            }
        }
        return p;
    }

    /** {@code vigil:resource-set}. */
    @Command(scope = "vigil", name = "resource-set", description = "Changes a resource's parameters; where it runs, "
            + "they apply when it next starts (as in WSFC: switch the group over, or bring it out and in)")
    @Service
    public static class SetParameters extends ClusterAction {
        @Argument(index = 0, name = "resource", required = true, description = "The resource")
        @Completion(Completers.Resources.class)
        String name;

        @Argument(index = 1, name = "parameters", multiValued = true, description = "Parameters to set, as name=value")
        List<String> params;

        @Option(name = "--unset", multiValued = true, description = "A parameter to remove (back to its default)")
        List<String> unset;

        @Override
        protected Object run() {
            Map<String, String> set = parameters(params);
            List<String> drop = unset == null ? List.of() : unset;
            if (set.isEmpty() && drop.isEmpty()) {
                throw new IllegalArgumentException("nothing to change: give name=value parameters or --unset name");
            }
            for (String k : drop) {
                if (set.containsKey(k)) {
                    throw new IllegalArgumentException("parameter " + k + " is both set and unset");
                }
            }
            GroupDef g = Commands.groupOf(cluster.document(), name);
            ClusterDocument d = cluster.change(user(), what(name, String.join(",", set.keySet()),
                    drop.isEmpty() ? null : "--unset " + String.join(",", drop)), doc -> {
                return doc.nextWithGroup(cluster.nodeName(), Commands.groupOf(doc, name).name(), x -> {
                    List<ResourceDef> rs = new ArrayList<>(x.resources());
                    int at = x.indexOf(name);
                    ResourceDef old = rs.get(at);
                    Map<String, String> merged = new LinkedHashMap<>(old.params());
                    for (String k : drop) {
                        if (merged.remove(k) == null) {
                            throw new IllegalArgumentException("--unset " + k + ": resource " + name + " has no such parameter set");
                        }
                    }
                    merged.putAll(set);
                    List<String> problems = cluster.validateResource(old.type(), merged);
                    if (!problems.isEmpty()) {
                        throw new IllegalArgumentException("resource " + name + " not changed:\n  " + String.join("\n  ", problems));
                    }
                    rs.set(at, new ResourceDef(name, old.type(), merged));
                    return x.withResources(rs);
                });
            });
            System.out.println("resource " + name + " changed in group " + g.name() + " (document version " + d.version()
                    + "); where it runs, the new parameters apply when it next starts (vigil:switchover, or bring-out"
                    + " and bring-in)");
            return null;
        }
    }

    /** {@code vigil:resource-remove}. */
    @Command(scope = "vigil", name = "resource-remove", description = "Removes a resource from its group (it is stopped where it runs)")
    @Service
    public static class Remove extends ClusterAction {
        @Argument(index = 0, name = "resource", required = true, description = "The resource")
        @Completion(Completers.Resources.class)
        String name;

        @Override
        protected Object run() {
            GroupDef g = Commands.groupOf(cluster.document(), name);
            ClusterDocument d = cluster.change(user(), what(name), doc -> doc.nextWithGroup(cluster.nodeName(), g.name(), x -> {
                List<ResourceDef> rs = new ArrayList<>(x.resources());
                rs.removeIf(r -> r.name().equals(name));
                return x.withResources(rs);
            }));
            System.out.println("resource " + name + " removed from group " + g.name() + " (document version " + d.version() + ")");
            return null;
        }
    }

    /** {@code vigil:resource-types}. */
    @Command(scope = "vigil", name = "resource-types", description = "Lists the resource types installed on this node, with their parameters")
    @Service
    public static class Types extends ClusterAction {
        @Argument(index = 0, name = "type", description = "Show only this type")
        @Completion(Completers.Types.class)
        String only;

        @Override
        protected Object run() {
            Map<String, ResourceTypeDescription> types = cluster.resourceTypes();
            if (only != null && !types.containsKey(only)) {
                throw new IllegalArgumentException("type '" + only + "' is not installed on this node (installed: "
                        + String.join(", ", types.keySet()) + ")");
            }
            if (types.isEmpty()) {
                System.out.println("no resource types installed (feature:install vigil-resource-process, ...)");
            }
            for (ResourceTypeDescription d : types.values()) {
                if (only != null && !only.equals(d.type())) {
                    continue;
                }
                System.out.printf("%s - %s%n  timeouts: start %ds, stop %ds, monitor %ds every %ds%n", d.type(), d.summary(),
                        d.startTimeout().toSeconds(), d.stopTimeout().toSeconds(), d.monitorTimeout().toSeconds(),
                        d.monitorInterval().toSeconds());
                printParams(d.parameters());
            }
            return null;
        }
    }

    /** {@code vigil:path-types}. */
    @Command(scope = "vigil", name = "path-types", description = "Lists the heartbeat transports installed on this node, with their parameters")
    @Service
    public static class PathTypes extends ClusterAction {
        @Override
        protected Object run() {
            if (cluster.pathTypes().isEmpty()) {
                System.out.println("no heartbeat transports installed (feature:install vigil-heartbeat-udp, ...)");
            }
            for (TransportDescription d : cluster.pathTypes().values()) {
                System.out.printf("%s - %s%n", d.type(), d.summary());
                printParams(d.parameters());
            }
            return null;
        }
    }

    static void printParams(List<ParameterDescription> params) {
        for (ParameterDescription p : params) {
            System.out.printf("  %-20s %s%s%n", p.name(), p.required() ? "(required) " : "",
                    p.description() + (p.defaultValue() != null ? " [default: " + p.defaultValue() + "]" : ""));
        }
    }
}
