package org.vigil.api.heartbeat;

import java.io.IOException;

/**
 * One open heartbeat path on this node. The core sends from one thread and receives from another;
 * implementations must allow those two calls to run at once.
 */
public interface HeartbeatTransport extends AutoCloseable {

    /**
     * Sends one frame to every peer on this path, without blocking for long (heartbeats must leave on
     * time: drop the frame rather than wait).
     *
     * @param frame the frame, already signed by the core
     * @throws IOException when the frame could not be handed to the medium
     */
    void send(byte[] frame) throws IOException;

    /**
     * Waits for incoming data for at most about the given time and hands every complete frame to
     * {@link PathContext#frameReceived}. The core calls this in a loop on a thread of its own until the
     * transport is closed.
     *
     * @param maxWaitMillis how long to block at most when nothing arrives
     * @throws IOException when the medium fails; the core logs it, pauses briefly and calls again
     */
    void receive(int maxWaitMillis) throws IOException;

    /**
     * Tells whether this transport reports, through {@link PathContext#peerRefused}, a peer whose heartbeat port
     * refused a frame. The core counts a lost peer's process as gone only on proof from every path to it that
     * can refuse, so a transport that can refuse must say so: a path that cannot tell (a serial line, a shared
     * disk, a multicast-only path) returns false and never counts.
     *
     * <p>The default implementation, for transports that predate it, returns false.
     *
     * @return true when the transport calls {@link PathContext#peerRefused} for a refused peer
     * @since 1.3
     */
    default boolean reportsRefusals() {
        return false;
    }

    /** @return the largest frame this path carries, in bytes */
    int maxFrameSize();

    /** Releases the medium. A blocked {@link #receive} returns or throws promptly. Never throws. */
    @Override
    void close();
}
