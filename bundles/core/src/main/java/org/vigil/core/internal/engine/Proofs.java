package org.vigil.core.internal.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.vigil.core.internal.membership.MembershipTracker;

/**
 * What proves a lost node is down (fenced, confirmed down by the admin, left cleanly, or its Vigil process gone:
 * every heartbeat port refused), by node: the policy starts a lost node's groups elsewhere only with a proof. Written on the engine thread only, read from any thread.
 */
final class Proofs {

    private final String node;
    private final LongSupplier clock;
    private final MembershipTracker members;
    /** What proves a lost node is down, by node (written on the engine thread only). */
    private final Map<String, Proof> proofs = new ConcurrentHashMap<>();

    /** A proof that a node runs nothing: valid while it is not heard again in that incarnation. */
    record Proof(long incarnation, long at, String text) {
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
        Proof pr = proofs.get(p.name());
        if (pr != null && pr.incarnation() == p.incarnation() && p.lastHeard() <= pr.at()) {
            return pr.text();
        }
        return members.gone(p); // known down, not fenced: its machine may still hold what is in the kernel
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
}
