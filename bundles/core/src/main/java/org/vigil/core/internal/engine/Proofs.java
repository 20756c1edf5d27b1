package org.vigil.core.internal.engine;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.vigil.api.resource.StopProof;
import org.vigil.core.internal.membership.MembershipTracker;

/**
 * What proves a lost node is down (fenced, confirmed down by the admin, left cleanly, or its Vigil process gone:
 * every heartbeat port refused), by node: the policy starts a lost node's groups elsewhere only with a proof. Also
 * the proofs agents are told (the policy's {@code StopProofs}, refreshed every tick). Written on the engine thread
 * only, read from any thread.
 */
final class Proofs {

    private final String node;
    private final LongSupplier clock;
    private final MembershipTracker members;
    /** What proves a lost node is down, by node (written on the engine thread only). */
    private final Map<String, Proof> proofs = new ConcurrentHashMap<>();
    /** The proofs agents may use, by group then node, as of the last tick. */
    private volatile ForAgents forAgents = new ForAgents(Map.of(), Long.MIN_VALUE);

    /** A proof that a node runs nothing: valid while it is not heard again in that incarnation. */
    record Proof(long incarnation, long at, String text, StopProof.Kind kind) {
    }

    private record ForAgents(Map<String, Map<String, StopProof>> byGroup, long at) {
    }

    Proofs(String node, LongSupplier clock, MembershipTracker members) {
        this.node = node;
        this.clock = clock;
        this.members = members;
    }

    /** @param target a node shown to be down; @param proof in which incarnation, when and how */
    void put(String target, Proof proof) {
        proofs.put(target, proof);
    }

    /** @param n a node; @return its proof, valid or not, or null */
    Proof get(String n) {
        return proofs.get(n);
    }

    /** @param action given each node with a proof, valid or not, and the proof */
    void forEach(BiConsumer<String, Proof> action) {
        proofs.forEach(action);
    }

    /** @param p a peer; @return what proves it is down now, or null when nothing does */
    String proof(MembershipTracker.PeerView p) {
        if (p.left()) {
            return "left the cluster cleanly";
        }
        Proof pr = valid(p);
        if (pr != null) {
            return pr.text();
        }
        return members.gone(p); // known down, not fenced: its machine may still hold what is in the kernel
    }

    /**
     * @param p a peer
     * @return the kind of {@link #proof}'s proof when it says the node's machine runs nothing of its groups (left,
     *         fenced, confirmed), or null (none, or only its Vigil process gone: its kernel may still hold a mount)
     */
    StopProof.Kind kind(MembershipTracker.PeerView p) {
        if (p.left()) {
            return StopProof.Kind.LEFT;
        }
        Proof pr = valid(p);
        return pr == null ? null : pr.kind();
    }

    private Proof valid(MembershipTracker.PeerView p) {
        Proof pr = proofs.get(p.name());
        return pr != null && pr.incarnation() == p.incarnation() && p.lastHeard() <= pr.at() ? pr : null;
    }

    /** For agents (any thread): fenced or confirmed down by the admin, and not heard since. */
    boolean knownFenced(String other) {
        Proof pr = proofs.get(other);
        if (pr == null || other.equals(node)) {
            return false;
        }
        MembershipTracker.PeerView p = members.peers(clock.getAsLong()).get(other);
        return p == null ? pr.incarnation() == 0 : !p.membership().isUp() && pr.incarnation() == p.incarnation()
                && p.lastHeard() <= pr.at();
    }

    /** @param byGroup this tick's proofs for agents, by group then node; @param now this tick's time */
    void forAgents(Map<String, Map<String, StopProof>> byGroup, long now) {
        forAgents = new ForAgents(byGroup, now);
    }

    /**
     * For agents (any thread): the last tick's proof that {@code other} stopped {@code group}. None when that tick
     * is older than the dead time (this node was paused: what it knew may have changed meanwhile).
     */
    Optional<StopProof> stopProof(String group, String other) {
        ForAgents f = forAgents;
        if (other.equals(node) || clock.getAsLong() - f.at() > members.deadTimeMillis()) {
            return Optional.empty();
        }
        return Optional.ofNullable(f.byGroup().getOrDefault(group, Map.of()).get(other));
    }
}
