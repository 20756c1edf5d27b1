package org.vigil.core.internal.membership;

import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.vigil.core.internal.frame.Frame;
import org.vigil.core.internal.frame.FrameCodec;

/**
 * Proof that a peer is alive now, not a recording of it: each node draws a random challenge (nonce) for its
 * incarnation and sends it in every frame; each node echoes, per peer it hears, the challenge it last saw
 * from that peer. A peer's frames count (membership, quorum, its report, its document) only once a frame
 * of its current incarnation has echoed this node's current challenge. Frames recorded before this node
 * started echo an older challenge, so replaying them after a restart (when the in-memory
 * {@link org.vigil.core.internal.frame.ReplayGuard} marks are gone) can never make a dead peer look alive.
 *
 * <p>Receiver threads call {@link #admit}, the sender thread reads {@link #nonce} and {@link #echoes}; no
 * lock is shared with anything slow, and the echoes are rebuilt only when a peer's challenge changes.
 */
public final class Challenge {

    /** What {@link #admit} made of a frame. */
    public enum Admission {
        /** The sender's incarnation has answered this node's challenge: the frame counts. */
        ANSWERED,
        /** Not answered yet, and the sender's challenge is new to this node: answer it soon. */
        ASKED,
        /** Not answered yet (or from an incarnation older than the one known): the frame does not count. */
        UNANSWERED
    }

    private record Peer(long incarnation, long nonce, boolean answered) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final long nonce;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private volatile Map<String, Long> echoes = Map.of();

    /** @param nonce this node's challenge for this incarnation; not 0 (0 means "none" on the wire) */
    public Challenge(long nonce) {
        if (nonce == 0) {
            throw new IllegalArgumentException("a challenge must not be 0");
        }
        this.nonce = nonce;
    }

    /** @return a challenge with a fresh random nonce, for a new incarnation of this node */
    public static Challenge random() {
        long n;
        do {
            n = RANDOM.nextLong();
        } while (n == 0);
        return new Challenge(n);
    }

    /** @return this node's challenge, to send in every frame */
    public long nonce() {
        return nonce;
    }

    /** @return per peer heard, its challenge to echo in every frame (an immutable map, rebuilt only on change) */
    public Map<String, Long> echoes() {
        return echoes;
    }

    /**
     * Learns the sender's challenge and says whether its frame counts. Call for every authenticated frame the
     * {@link org.vigil.core.internal.frame.ReplayGuard} found fresh, before anything else uses it.
     *
     * @param f    an authenticated, fresh frame from a peer
     * @param self this node's name (the key of the echo meant for it)
     * @return whether the frame counts, and whether the sender's challenge is new here
     */
    public Admission admit(Frame f, String self) {
        boolean[] learned = {false};
        boolean echoed = f.echoFor(self) == nonce;
        Peer now = peers.compute(f.sender(), (k, p) -> {
            if (p != null && f.incarnation() < p.incarnation) {
                return p; // an earlier life of the sender: never counts, never echoed
            }
            boolean same = p != null && f.incarnation() == p.incarnation;
            boolean answered = echoed || (same && p.answered);
            learned[0] = !same || p.nonce != f.nonce();
            return same && p.nonce == f.nonce() && p.answered == answered ? p
                    : new Peer(f.incarnation(), f.nonce(), answered);
        });
        if (learned[0]) {
            rebuildEchoes();
        }
        if (now.incarnation != f.incarnation()) {
            return Admission.UNANSWERED;
        }
        return now.answered ? Admission.ANSWERED : learned[0] ? Admission.ASKED : Admission.UNANSWERED;
    }

    /** @param peer a peer @return whether its current incarnation has answered this node's challenge */
    public boolean answered(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.answered;
    }

    private synchronized void rebuildEchoes() {
        Map<String, Long> m = new TreeMap<>();
        peers.forEach((name, p) -> {
            if (p.nonce != 0 && m.size() < FrameCodec.MAX_ECHOES) {
                m.put(name, p.nonce);
            }
        });
        echoes = Map.copyOf(m);
    }
}
