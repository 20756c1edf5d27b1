package org.vigil.core.internal.heartbeat;

import org.vigil.core.internal.frame.FrameType;

/**
 * A frame to send besides heartbeats (a document request or piece); numbered and signed only when it leaves.
 *
 * @param type    its frame type
 * @param payload what it carries
 */
record Outgoing(FrameType type, byte[] payload) {
}
