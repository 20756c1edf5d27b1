package org.vigil.core.internal.membership;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Acknowledged heartbeats, the ground of the lease (docs/split-brain-safety.md, "The lease"). Every frame this node
 * sends has a sequence number; every frame echoes, per peer, the highest sequence of that peer's frames it counted
 * (see {@link Challenge}: only frames of a peer's current incarnation that answered this node's challenge count).
 * When a frame from peer P acknowledges sequence n, P counted this node's frame n at or after the instant this node
 * sent it: on this node's clock alone, P heard it no earlier than {@link #confirmedAt(String)}. P's last receipt from
 * this node, which P's dead time and P's wait are counted from, is therefore never earlier than that instant.
 *
 * <p>Thread-safe: the sender thread calls {@link #sent} and reads {@link #acks}, receiver threads call
 * {@link #counted}, the engine reads {@link #confirmedAt}.
 */
public final class Acks {

    /** How many of this node's recent frames are remembered with their send time (a few seconds of frames). */
    static final int REMEMBERED = 4096;

    private record Heard(long incarnation, long sequence) {
    }

    private final long[] sequences = new long[REMEMBERED];
    private final long[] times = new long[REMEMBERED];
    private final ConcurrentHashMap<String, Heard> heard = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> confirmed = new ConcurrentHashMap<>();

    /**
     * Records the send time of one of this node's frames. Call before the frame leaves: the recorded instant must
     * not be later than the send.
     *
     * @param sequence the frame's sequence number (positive, growing)
     * @param at       the monotonic time (ms)
     */
    public synchronized void sent(long sequence, long at) {
        int i = (int) Math.floorMod(sequence, (long) REMEMBERED);
        sequences[i] = sequence;
        times[i] = at;
    }

    /** @param sequence one of this node's sequence numbers @return when it was sent, or Long.MIN_VALUE if forgotten */
    public synchronized long sentAt(long sequence) {
        int i = (int) Math.floorMod(sequence, (long) REMEMBERED);
        return sequence > 0 && sequences[i] == sequence ? times[i] : Long.MIN_VALUE;
    }

    /**
     * An authentic, fresh frame of a peer arrived, counted or not: call before {@link Challenge#admit}. A new
     * incarnation of the peer forgets what its previous one was acknowledged for, so this node never echoes an
     * older incarnation's sequence next to the new incarnation's challenge (it would name a frame the new one
     * never sent).
     *
     * @param peer        the sender
     * @param incarnation the sender's incarnation
     */
    public void seen(String peer, long incarnation) {
        heard.compute(peer, (k, old) -> old == null || old.incarnation < incarnation ? new Heard(incarnation, 0) : old);
    }

    /**
     * A frame of a peer counted (its incarnation answered this node's challenge): remembers its sequence, to be
     * acknowledged, and learns what the frame acknowledges.
     *
     * @param peer        the sender
     * @param incarnation the sender's incarnation
     * @param sequence    the frame's sequence
     * @param ack         the highest sequence of this node's frames the sender counted (0 for none)
     */
    public void counted(String peer, long incarnation, long sequence, long ack) {
        heard.merge(peer, new Heard(incarnation, sequence), (old, now) -> old.incarnation > now.incarnation
                || (old.incarnation == now.incarnation && old.sequence >= now.sequence) ? old : now);
        long at = sentAt(ack);
        if (at != Long.MIN_VALUE) {
            confirmed.merge(peer, at, Math::max);
        }
    }

    /** @return per peer heard, the highest sequence of its current incarnation counted here: to echo in every frame */
    public Map<String, Long> acks() {
        Map<String, Long> m = new TreeMap<>();
        heard.forEach((peer, h) -> {
            if (h.sequence > 0) {
                m.put(peer, h.sequence);
            }
        });
        return Collections.unmodifiableMap(m);
    }

    /**
     * @param peer a peer
     * @return the send time of the newest frame of this node the peer acknowledged, or Long.MIN_VALUE for none
     */
    public long confirmedAt(String peer) {
        Long t = confirmed.get(peer);
        return t == null ? Long.MIN_VALUE : t;
    }
}
