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
}
