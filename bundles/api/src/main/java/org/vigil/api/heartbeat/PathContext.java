package org.vigil.api.heartbeat;

import java.util.Map;

/**
 * What the core tells a transport about the path it serves, and the callback through which the
 * transport hands received bytes back. The methods are thread-safe and return quickly.
 */
public interface PathContext {

    /** @return the path's name, the same on every node (for example {@code lan}) */
    String pathName();

    /** @return the name of this node */
    String nodeName();

    /** @return the path's parameters, with the kind's defaults filled in */
    Map<String, String> parameters();

    /**
     * Hands one received frame to the core, which authenticates it. The array may be reused by the
     * transport once this returns.
     *
     * @param data   a buffer holding the frame
     * @param offset where the frame starts
     * @param length the frame's length
     * @param source where it came from, for the log and status (an address, a device)
     */
    void frameReceived(byte[] data, int offset, int length, String source);

    /**
     * Hands one received frame to the core, as {@link #frameReceived} does, and tells whether the core accepted
     * it: signed with the cluster key, built for this path, and not a recording of an earlier life of its
     * sender. A transport that accepts connections (a stream) uses the answer to tell a peer's connection from a
     * stranger's: the bytes alone cannot tell, only the core holds the key.
     *
     * <p>The default implementation, for cores that predate it, hands the frame to {@link #frameReceived} and
     * returns true: every well-formed frame then counts as accepted, as it did before.
     *
     * @param data   a buffer holding the frame
     * @param offset where the frame starts
     * @param length the frame's length
     * @param source where it came from, for the log and status (an address, a device)
     * @return true when the core authenticated the frame as one of this cluster's, for this path
     * @since 1.2
     */
    default boolean offerFrame(byte[] data, int offset, int length, String source) {
        frameReceived(data, offset, length, source);
        return true;
    }

    /**
     * The interval at which every node sends a heartbeat on every path. A transport may use it to bound how
     * long it waits for a peer's first frame.
     *
     * <p>The default implementation, for cores that predate it, returns 1000.
     *
     * @return the heartbeat interval in milliseconds
     * @since 1.2
     */
    default long heartbeatIntervalMillis() {
        return 1000;
    }

    /**
     * Counts bytes the transport had to throw away before they made a frame (a torn serial frame, a
     * datagram of the wrong size). Never throw for garbage on the line: report it here.
     *
     * @param reason what was wrong, for the status
     */
    void garbageDiscarded(String reason);

    /**
     * Reports the local end of the path: up when the transport can send and receive, down (with a
     * reason) when, for example, the serial device vanished or the address is gone.
     *
     * @param up     the state
     * @param reason why, for the status and the alert
     */
    void localLinkState(boolean up, String reason);

    /**
     * Tells the core that an authenticated fencing message (a "poison pill") addressed to this node arrived
     * on this path, or that the path's own rule demands self-fencing (a shared-disk path that could not
     * read its slot for its self-fence bound). The transport checks authenticity before calling this (with
     * {@link org.vigil.api.fence.FenceMessageSigner}); the core does not check again.
     *
     * <p>On the first call the core stops every resource on this node at once (each group in reverse
     * order, as a failover would) and starts no group here until the admin runs {@code vigil:cleanup} or
     * the node restarts. The call returns at once; a transport calls it again (for example at every poll)
     * to learn when the node has become quiet, and only then acknowledges the request to the fencer.
     *
     * <p>The default implementation, for cores that predate fencing, does nothing and returns false.
     *
     * @param from   the node that asked (this node's own name for self-fencing)
     * @param reason why, for the log, the status and the alert
     * @return true once no resource is active on this node any more; false while stopping is under way,
     *         or when a stop failed (the node is then not safe to be declared off)
     * @since 1.1
     */
    default boolean fenceRequested(String from, String reason) {
        return false;
    }

    /**
     * Tells the core that a peer's heartbeat endpoint on this path refused a frame: the peer's machine answered
     * that nothing listens there (UDP: an ICMP port unreachable; TCP: a reset to a connection attempt). A frozen
     * process keeps its sockets and a cut link answers nothing, so only a machine whose Vigil process is gone
     * answers this way. The core attributes the endpoint to the node whose authenticated frames came from it on
     * this path, and counts a lost node as gone (its Vigil process ended, and its programs with it) only when
     * every path to it that {@link HeartbeatTransport#reportsRefusals reports refusals} has refused repeatedly
     * since its last frame. Report every refusal; do not filter or debounce: the core does.
     *
     * <p>The default implementation, for cores that predate it, does nothing.
     *
     * @param endpoint the refused endpoint, formatted as the source of that peer's frames is (address:port)
     * @param how      what refused, for the status (for example "ICMP port unreachable")
     * @since 1.3
     */
    default void peerRefused(String endpoint, String how) {
    }
}
