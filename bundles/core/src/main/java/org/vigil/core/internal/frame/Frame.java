package org.vigil.core.internal.frame;

/**
 * An authenticated frame.
 *
 * @param type        what it carries
 * @param sender      the sending node's name
 * @param path        the heartbeat path it was built for; a frame replayed onto another path is rejected
 * @param incarnation the sender's incarnation (grows with every start of the sender)
 * @param sequence    the sender's frame counter within the incarnation
 * @param payload     the content
 */
public record Frame(FrameType type, String sender, String path, long incarnation, long sequence, byte[] payload) {
}
