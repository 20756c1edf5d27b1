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
 */
public record Frame(FrameType type, String sender, String path, long incarnation, long sequence, byte[] payload,
        long nonce, Map<String, Long> echoes) {

    /** A frame with no challenge and no echoes. */
    public Frame(FrameType type, String sender, String path, long incarnation, long sequence, byte[] payload) {
        this(type, sender, path, incarnation, sequence, payload, 0, Map.of());
    }

    /** @param node a node @return the challenge this frame echoes for it, or 0 */
    public long echoFor(String node) {
        Long n = echoes.get(node);
        return n == null ? 0 : n;
    }
}
