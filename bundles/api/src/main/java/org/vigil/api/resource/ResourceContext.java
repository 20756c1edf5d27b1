package org.vigil.api.resource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the core tells a {@link ResourceHandler} about the resource it manages, and the services it
 * offers it. The only way a handler reaches the core.
 */
public interface ResourceContext {

    /** @return the resource's name, unique in the cluster */
    String resourceName();

    /** @return the name of the group the resource belongs to */
    String groupName();

    /** @return the name of the node this handler runs on */
    String nodeName();

    /**
     * @return the resource's parameters, already validated, with the type's defaults filled in for every
     *         parameter the admin did not set
     */
    Map<String, String> parameters();

    /**
     * @param name a parameter name declared by the type
     * @return its value, the default when unset, or null when neither exists
     */
    default String parameter(String name) {
        return parameters().get(name);
    }

    /** @return a directory kept for this resource on this node (created on demand, survives restarts) */
    Path stateDirectory();

    /** @return the supervisor for this resource's long-running programs */
    ProcessSupervisor processes();

    /**
     * Runs a short command (for example {@code ip addr add}) and waits for it, killing it at the timeout.
     *
     * @param command the argument vector
     * @param timeout how long it may run
     * @return its exit status and output
     */
    CommandResult run(List<String> command, Duration timeout);

    /**
     * Whether this node knows that another node is down for certain: a fence agent answered NODE_OFF for it,
     * or the admin confirmed it down ({@code vigil:fence-confirm}), and it has not been heard since. An agent
     * that guards against a live holder (a disk reservation, a lock) may then take over at once instead of
     * waiting out the holder's lease. Never true for a node that is merely silent.
     *
     * @param node a node's name
     * @return true only when that node is known to be down
     * @since 1.1
     */
    default boolean isFenced(String node) {
        return false;
    }

    /**
     * Whether the core has proven that another node no longer runs anything of this resource's group: what
     * {@link StopProof} lists (fenced, confirmed down, left cleanly, or with quorum its lease or self-fencing bound
     * passed), valid now (the node has not been heard since). Asked when a start finds the resource held by another
     * node (a disk reservation naming it): an agent may then take over at once instead of waiting out that node's
     * lease. Empty for a node that is up, merely silent, or lost without such a proof; empty from a core older than
     * 1.3, so an agent keeps its own wait.
     *
     * @param node a node's name
     * @return the proof, or empty
     * @since 1.3
     */
    default Optional<StopProof> stopProof(String node) {
        return Optional.empty();
    }
}
