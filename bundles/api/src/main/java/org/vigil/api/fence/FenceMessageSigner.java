package org.vigil.api.fence;

import java.util.Optional;

/**
 * Signs and checks fencing messages with the cluster key, so that a fence agent and a heartbeat
 * transport can carry them over a medium anybody may write to (a shared disk) without handing the key
 * to a plug-in. Registered as an OSGi service by the core while it has a cluster key.
 *
 * <p>A signed message names its sender (this node), its recipient and carries an opaque body, all under
 * one HMAC-SHA256 over the cluster key, in a format of its own (it can never pass for a heartbeat frame,
 * nor a frame for it). The signer adds no sequence number: the body must carry what makes a message
 * fresh for its purpose (for example a random nonce and the recipient's current incarnation).
 *
 * @since 1.1
 */
public interface FenceMessageSigner {

    /** Bodies longer than this are refused. */
    int MAX_BODY = 2048;

    /** @return the name of this node, the sender of every message signed here */
    String nodeName();

    /**
     * @param recipient the node the message is addressed to
     * @param body      what the message says (at most {@link #MAX_BODY} bytes)
     * @return the signed message
     * @throws IllegalArgumentException when a name or the body is too long
     */
    byte[] sign(String recipient, byte[] body);

    /**
     * Checks a message. Never throws: anything that is not a well-formed message with a valid code is
     * empty.
     *
     * @param message the bytes, as read from the medium
     * @return the authenticated message, or empty
     */
    Optional<FenceMessage> verify(byte[] message);

    /**
     * An authenticated fencing message.
     *
     * @param sender    the node that signed it
     * @param recipient the node it is addressed to
     * @param body      what it says
     */
    record FenceMessage(String sender, String recipient, byte[] body) {

        /** Canonical constructor; copies the body. */
        public FenceMessage {
            java.util.Objects.requireNonNull(sender, "sender");
            java.util.Objects.requireNonNull(recipient, "recipient");
            body = body.clone();
        }

        /** @return a copy of the body */
        @Override
        public byte[] body() {
            return body.clone();
        }
    }
}
