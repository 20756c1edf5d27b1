package org.vigil.core.internal.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.vigil.api.ParameterDescription;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgentDescription;
import org.vigil.api.fence.FenceResult;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.model.Names;
import org.vigil.core.internal.model.Text;

/** Fencing by hand: {@code vigil:fence}, {@code vigil:fence-confirm}, {@code vigil:fence-types}. */
public final class FenceCommands {

    private FenceCommands() {
    }

    static void checkNode(ClusterService c, String node) {
        if (!Names.isValid(node)) {
            throw new IllegalArgumentException("node: '" + node + "' is not a node name");
        }
        if (node.equals(c.nodeName())) {
            throw new IllegalArgumentException("node: " + node + " is this node; fence it from another node");
        }
    }

    /** {@code vigil:fence}. */
    @Command(scope = "vigil", name = "fence", description = "Fences a node now with its configured fence devices (power off); "
            + "on success its groups may start elsewhere")
    @Service
    public static class Fence extends ClusterAction {
        @Option(name = "--status", description = "Only ask the devices whether the node is on or off")
        boolean status;

        @Option(name = "--wait", description = "Seconds to wait for the devices' answer (default 120)")
        int wait = 120;

        @Argument(index = 0, name = "node", required = true, description = "The node to fence")
        @Completion(Completers.Nodes.class)
        String node;

        @Override
        protected Object run() throws Exception {
            checkNode(cluster, node);
            if (wait <= 0) {
                throw new IllegalArgumentException("--wait must be positive (got " + wait + ")");
            }
            if (!cluster.fencing().hasDevice(node)) {
                throw new IllegalArgumentException("node: no fence device is configured for " + node
                        + " (add etc/org.vigil.fence-<name>.cfg with nodes = " + node + ")");
            }
            FenceResult r = cluster.fence(node, status ? FenceAction.STATUS : FenceAction.OFF, wait);
            System.out.println(node + ": " + r.outcome() + (r.message().isEmpty() ? "" : " (" + Text.escape(r.message()) + ")"));
            if (!status && r.outcome() != FenceResult.Outcome.NODE_OFF) {
                throw new IllegalStateException("fencing " + node + " failed: " + r.message());
            }
            return null;
        }
    }

    /** {@code vigil:fence-confirm}. */
    @Command(scope = "vigil", name = "fence-confirm", description = "You vouch that a lost node is down (you powered it off "
            + "or cut it off): its groups may start elsewhere. Wrong use runs a group twice")
    @Service
    public static class Confirm extends ClusterAction {
        @Argument(index = 0, name = "node", required = true, description = "The node that is down")
        @Completion(Completers.Nodes.class)
        String node;

        @Override
        protected Object run() throws Exception {
            checkNode(cluster, node);
            System.out.println(Text.escape(cluster.confirmDown(node)));
            return null;
        }
    }

    /** {@code vigil:fence-types}. */
    @Command(scope = "vigil", name = "fence-types", description = "Lists the installed fence agents and their parameters, "
            + "and the configured fence devices")
    @Service
    public static class Types extends ClusterAction {
        @Override
        protected Object run() {
            var types = cluster.fencing().types();
            if (types.isEmpty()) {
                System.out.println("no fence agent installed (feature:install vigil-fence-command)");
            }
            for (FenceAgentDescription d : types.values()) {
                System.out.println(d.type() + ": " + d.summary() + " (timeout " + d.timeout().toSeconds() + " s)");
                for (ParameterDescription p : d.parameters()) {
                    System.out.printf("    %-18s %s%s%n", p.name(), p.description(),
                            p.required() ? " (required)" : p.defaultValue() == null ? "" : " (default " + p.defaultValue() + ")");
                }
            }
            System.out.println();
            System.out.println("Fence devices (etc/org.vigil.fence-<name>.cfg):");
            if (cluster.fencing().devices().isEmpty()) {
                System.out.println("  none configured");
            }
            cluster.fencing().devices().forEach(d -> System.out.printf("  %-12s %-10s level %d, fences %s: %s%n", d.name(),
                    d.type(), d.level(), String.join(", ", d.nodes()), d.state()));
            return null;
        }
    }
}
