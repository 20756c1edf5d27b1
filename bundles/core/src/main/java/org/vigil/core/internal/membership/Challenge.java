package org.vigil.core.internal.membership;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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
 * <p>After a pause of the whole process (SIGSTOP, a VM pause, a long GC) the frames that waited in the socket
 * were sent while this node slept, by peers that may have died since: this node then draws a new challenge
 * ({@link #senderRan}, {@link #renewAfterPause}), so only frames sent after it woke, answering the new challenge,
 * count again.
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

    /** @param answered the challenge of this node it answered, 0 for none */
    private record Peer(long incarnation, long nonce, long answered) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final LongSupplier draws;
    private volatile long nonce;
    private final AtomicLong senderPulse = new AtomicLong(Long.MIN_VALUE);
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private volatile Map<String, Long> echoes = Map.of();

    /** @param nonce this node's challenge for this incarnation; not 0 (0 means "none" on the wire) */
    public Challenge(long nonce) {
        this(nonce, RANDOM::nextLong);
    }

    /**
     * @param nonce this node's challenge for this incarnation; not 0
     * @param draws where the challenges renewed after a pause come from (the simulation passes its seeded random
     *              so that a seed replays; production draws from a {@link SecureRandom})
     */
    public Challenge(long nonce, LongSupplier draws) {
        if (nonce == 0) {
            throw new IllegalArgumentException("a challenge must not be 0");
        }
        this.nonce = nonce;
        this.draws = draws;
    }

    /** @return a challenge with a fresh random nonce, for a new incarnation of this node */
    public static Challenge random() {
        return new Challenge(fresh(RANDOM::nextLong, 0));
    }

    private static long fresh(LongSupplier draws, long not) {
        long n;
        do {
            n = draws.getAsLong();
        } while (n == 0 || n == not);
        return n;
    }

    /**
     * Draws a new challenge: no peer counts again until a frame of it echoes the new one.
     *
     * @param next the new challenge; not 0 and not the current one
     */
    public void renew(long next) {
        if (next == 0 || next == nonce) {
            throw new IllegalArgumentException("a new challenge must differ from the current one and from 0");
        }
        nonce = next;
    }

    /**
     * The sender thread calls this every time its loop runs (at least once an interval). When it had not run for
     * longer than {@code pauseMillis}, the whole process slept: the challenge is renewed.
     *
     * @param now         the monotonic time
     * @param pauseMillis a silence of the sender longer than this is a pause (the dead time)
     * @return true when the challenge was renewed
     */
    public boolean senderRan(long now, long pauseMillis) {
        boolean renewed = renewAfterPause(now, pauseMillis);
        senderPulse.set(now);
        return renewed;
    }

    /**
     * Receiver threads call this before {@link #admit}: frames that waited in the socket while the whole process
     * slept must not count, even when a receiver thread runs before the sender after the pause.
     *
     * @param now         the monotonic time
     * @param pauseMillis a silence of the sender longer than this is a pause (the dead time)
     * @return true when the challenge was renewed
     */
    public boolean renewAfterPause(long now, long pauseMillis) {
        long last = senderPulse.get();
        if (last == Long.MIN_VALUE || now - last <= pauseMillis) {
            return false;
        }
        // Renew before the pulse moves on: whoever then sees a recent pulse also sees the new challenge. Two
        // threads may both renew; a peer then answers one round trip later, nothing worse.
        renew(fresh(draws, nonce));
        senderPulse.compareAndSet(last, now);
        return true;
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
        long current = nonce;
        long echo = f.echoFor(self);
        Peer now = peers.compute(f.sender(), (k, p) -> {
            if (p != null && f.incarnation() < p.incarnation) {
                return p; // an earlier life of the sender: never counts, never echoed
            }
            boolean same = p != null && f.incarnation() == p.incarnation;
            long answered = echo == current ? current : same ? p.answered : 0;
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
        return now.answered == current ? Admission.ANSWERED : learned[0] ? Admission.ASKED : Admission.UNANSWERED;
    }

    /** @param peer a peer @return whether its current incarnation has answered this node's challenge */
    public boolean answered(String peer) {
        Peer p = peers.get(peer);
        return p != null && p.answered == nonce;
    }

    private synchronized void rebuildEchoes() {
        Map<String, Long> m = new TreeMap<>();
        peers.forEach((name, p) -> {
            if (p.nonce != 0 && m.size() < FrameCodec.MAX_ECHOES) {
                m.put(name, p.nonce);
            }
        });
        echoes = Collections.unmodifiableMap(m);
    }
}
