package org.vigil.core.internal.membership;

import java.util.concurrent.atomic.AtomicLong;

/** What one heartbeat path on this node has received and rejected, for the status. Thread-safe. */
public final class PathCounters {
    /** Authenticated, fresh frames. */
    public final AtomicLong accepted = new AtomicLong();
    /** Not frames at all (garbage, truncation). */
    public final AtomicLong malformed = new AtomicLong();
    /** Frames whose authentication code did not match. */
    public final AtomicLong forged = new AtomicLong();
    /** Authenticated frames older than the last accepted (replays, or overtaken on the way). */
    public final AtomicLong replayed = new AtomicLong();
    /** Authenticated, fresh frames from a peer that had not answered this node's challenge: a recording, or a peer starting. */
    public final AtomicLong unanswered = new AtomicLong();
    /** The last accepted frame delivered again by the medium (harmless; dropped). */
    public final AtomicLong duplicates = new AtomicLong();
    /** Authenticated frames built for another path. */
    public final AtomicLong wrongPath = new AtomicLong();
    /** Bytes the transport discarded before they made a frame. */
    public final AtomicLong garbage = new AtomicLong();
    /** Frames a peer's heartbeat port refused (nothing listened there). */
    public final AtomicLong refused = new AtomicLong();
    /** Frames handed to the transport. */
    public final AtomicLong sent = new AtomicLong();
    /** Frames that could not be sent. */
    public final AtomicLong sendErrors = new AtomicLong();

    /** @return a one-line summary */
    public String summary() {
        return "accepted " + accepted.get() + ", malformed " + malformed.get() + ", forged " + forged.get()
                + ", replayed " + replayed.get() + ", unanswered " + unanswered.get() + ", duplicates " + duplicates.get() + ", wrong-path " + wrongPath.get() + ", garbage " + garbage.get()
                + ", send-errors " + sendErrors.get() + ", refused " + refused.get();
    }
}
