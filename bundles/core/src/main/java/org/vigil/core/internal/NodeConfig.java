package org.vigil.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The schema of {@code etc/org.vigil.node.cfg} as the shell, the web console and Metatype see it: each method is
 * a key (Declarative Services' mapping: an underscore is a dot), its default the value used when the key is absent.
 * The node itself reads the raw properties once through {@link NodeSettings#parse}, whose defaults match these
 * (NodeSettingsTest checks that they do).
 */
@ObjectClassDefinition(name = "Vigil node", description = "Settings of this cluster node")
public @interface NodeConfig {
    /** @return the node's name */
    @AttributeDefinition(description = "This node's name, unique in the cluster (default: the host name)")
    String node_name() default "";

    /** @return the key file */
    @AttributeDefinition(description = "File holding the cluster key (base64, at least 16 bytes, mode 0600); "
            + "the same on every node. Default: ${karaf.etc}/vigil-cluster.key")
    String cluster_key_file() default "";

    /** @return the heartbeat interval */
    @AttributeDefinition(description = "Milliseconds between heartbeats on every path")
    long heartbeat_interval_ms() default 100;

    /** @return the dead time */
    @AttributeDefinition(description = "Milliseconds of silence on every path after which a node is declared lost")
    long dead_time_ms() default 600;

    /** @return the state directory */
    @AttributeDefinition(description = "Where the node keeps the cluster document and resource state. "
            + "Default: ${karaf.data}/vigil")
    String state_dir() default "";

    /** @return on or off */
    @AttributeDefinition(description = "on (the default): the node needs quorum, so cluster.nodes must list the "
            + "members, or a node with a heartbeat path runs nothing; off: with cluster.nodes empty, a lost node "
            + "counts as down at once and a full partition runs groups on both sides. Ignored when cluster.nodes is set")
    String quorum() default "on";

    /** @return the members */
    @AttributeDefinition(description = "The cluster's members and their votes, the same list on every node: "
            + "node names, comma-separated, each with optional :votes (default 1), e.g. node1, node2, node3:2. "
            + "Empty: quorum is off and a lost node counts as down at once")
    String cluster_nodes() default "";

    /** @return the tie-breaker */
    @AttributeDefinition(description = "What decides a split with exactly half the votes on each side: none, "
            + "ping (quorum.ping.targets), or the type of an installed tie-breaker (e.g. disk)")
    String quorum_tiebreaker() default "none";

    /** @return the ping targets */
    @AttributeDefinition(description = "For quorum.tiebreaker = ping: literal addresses on the public network "
            + "(e.g. its gateway), comma-separated; a side that reaches none loses")
    String quorum_ping_targets() default "";

    /** @return the peers' public addresses */
    @AttributeDefinition(description = "For quorum.tiebreaker = ping: each member's public address, node=address, "
            + "comma-separated; when a lost member's address is silent the side that reaches a target wins")
    String quorum_ping_peers() default "";

    /** @return the fixed winner */
    @AttributeDefinition(description = "For quorum.tiebreaker = ping: the member whose side wins when both sides "
            + "may reach the targets (default: the first node in cluster.nodes)")
    String quorum_tiebreaker_winner() default "";

    /** @return the ping tie-breaker's probe period */
    @AttributeDefinition(description = "For quorum.tiebreaker = ping: milliseconds between two pings of each target "
            + "and peer address (10 to 1000); every address is pinged all the time so a tie is decided at once")
    long quorum_ping_interval_ms() default 50;

    /** @return the silence that proves a lost member gone */
    @AttributeDefinition(description = "For quorum.tiebreaker = ping: milliseconds without an answer from a lost "
            + "member's public address after which it counts as silent (at least 5 probe periods plus 200 ms)")
    long quorum_ping_silence_ms() default 500;

    /** @return the self-fencing bound */
    @AttributeDefinition(description = "Milliseconds within which a node that lost quorum stops all its resources; "
            + "the side with quorum waits this long before it starts a lost node's groups (unless fenced)")
    long quorum_loss_stop_ms() default 5000;

    /** @return the freeze bound */
    @AttributeDefinition(description = "With quorum: milliseconds a lost node whose machine still answers ping "
            + "(its Vigil process frozen, or only the heartbeats cut) is waited for at least, from the last heartbeat "
            + "heard; a node frozen longer may run its groups beside the new owner unless fenced (0 to 600000)")
    long quorum_freeze_ms() default 1000;

    /** @return the fence delay */
    @AttributeDefinition(description = "Milliseconds this node waits before it fences a lost peer: give the node that "
            + "should win fence races 0 and the other one a few seconds")
    long fence_delay_ms() default 0;

    /** @return the public interfaces */
    @AttributeDefinition(description = "The public network watch: this node's interfaces on the public network (the "
            + "clients' side), comma-separated, e.g. eth0. Each must have a carrier and be up, read from /sys/class/net. "
            + "Empty (and no public.ping.targets): the public network is not watched")
    String public_interfaces() default "";

    /** @return the public ping targets */
    @AttributeDefinition(description = "The public network watch: literal addresses on the public network (its "
            + "gateway, a router the clients use), comma-separated; at every check one of them must answer a ping "
            + "(1 s each, tried in order)")
    String public_ping_targets() default "";

    /** @return the check interval */
    @AttributeDefinition(description = "Milliseconds between two checks of the public network (100 to 60000)")
    long public_interval_ms() default 1000;

    /** @return the checks that make it lost */
    @AttributeDefinition(description = "Consecutive failed checks after which the public network counts as lost "
            + "(1 to 100): a single lost ping moves nothing")
    int public_lost_after() default 3;

    /** @return the checks that make it OK again */
    @AttributeDefinition(description = "Consecutive good checks after which a lost public network counts as back (1 to 100)")
    int public_ok_after() default 2;
}
