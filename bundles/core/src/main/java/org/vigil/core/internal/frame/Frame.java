package org.vigil.core.internal.frame;

import java.util.Map;

/**
 * An authenticated frame.
 *
 * @param type        what it carries
 * @param sender      the sending node's name
 * @param path        the heartbeat path it was built for; a frame replayed onto another path is rejected
 * @param incarnation the sender's incarnation (grows with every start of the sender)
 * @param sequence    the sender's frame counter within the incarnation
 * @param payload     the content
 * @param nonce       the sender's challenge: random, fresh for each of its incarnations; 0 for none
 * @param echoes      per peer the sender heard, the challenge it last saw from that peer (see {@code Challenge})
 * @param acks        per peer in {@code echoes}, the highest sequence of that peer's frames the sender counted (0 for
 *                    none): the acknowledgement a lease is renewed by (see {@code Acks})
 */
public record Frame(FrameType type, String sender, String path, long incarnation, long sequence, byte[] payload,
        long nonce, Map<String, Long> echoes, Map<String, Long> acks) {

    /** Canonical constructor; a null map of acks is none. */
    public Frame {
        acks = acks == null ? Map.of() : acks;
    }

    /** A frame with no challenge and no echoes. */
    public Frame(FrameType type, String sender, String path, long incarnation, long sequence, byte[] payload) {
        this(type, sender, path, incarnation, sequence, payload, 0, Map.of(), Map.of());
    }

    /** A frame with a challenge and echoes but no acknowledgements. */
    public Frame(FrameType type, String sender, String path, long incarnation, long sequence, byte[] payload,
            long nonce, Map<String, Long> echoes) {
        this(type, sender, path, incarnation, sequence, payload, nonce, echoes, Map.of());
    }

    /** @param node a node @return the challenge this frame echoes for it, or 0 */
    public long echoFor(String node) {
        Long n = echoes.get(node);
        return n == null ? 0 : n;
    }

    /** @param node a node @return the highest sequence of that node's frames this frame acknowledges, or 0 */
    public long ackFor(String node) {
        Long n = acks.get(node);
        return n == null ? 0 : n;
    }
}
