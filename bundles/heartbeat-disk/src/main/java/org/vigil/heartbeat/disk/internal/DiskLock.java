package org.vigil.heartbeat.disk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.vigil.api.resource.OperationContext;
import org.vigil.heartbeat.disk.internal.DiskLayout.Block;
import org.vigil.heartbeat.disk.internal.DiskLayout.Content;

/**
 * The quorum disk's lock (block 1 of the heartbeat disk): the tie-breaker's memory of which side won.
 *
 * <p>Rules. A side wins a tie when it holds the lock: a node of the side claims it (writes its name and
 * the next renewal number), waits {@link #SETTLE_MILLIS} and reads it back; of two claims at once only
 * the last writer's side finds itself there. A winner renews the lock every time the core asks again
 * (every 2 s while the tie lasts). A lock held by the other side is taken over only after this node has
 * watched it unchanged for {@link #LEASE_MILLIS} on its own monotonic clock (the holder is dead, or cannot
 * reach the disk); a renewal while this node watches means the holder is alive and this side loses. A
 * node that cannot read or write the disk loses. No two clocks are compared.
 *
 * <p>Limit, as for the disk reservation: a claimant frozen between its read and its write for longer
 * than the settle time could make two winners; the core's freeze rule (a pause beyond the dead time
 * removes quorum until the node rejoins) covers pauses longer than the dead time, and the settle time is
 * longer than the default dead time.
 */
final class DiskLock {

    /** How long a claimant waits before reading its claim back. */
    static final long SETTLE_MILLIS = 1000;
    /** How long another side's lock must stay unchanged before it is taken over. */
    static final long LEASE_MILLIS = 8000;

    private int watched; // hash of the other side's lock content this node watches
    private long watchedSince;

    /**
     * @param area the heartbeat disk
     * @param me     this node
     * @param mySlot this node's slot (recorded in the lock, for admins)
     * @param side the members on this node's side, this node included
     * @param op   the request's budget
     * @return true when this side holds the lock
     */
    synchronized boolean wins(DiskArea area, String me, int mySlot, Set<String> side, OperationContext op)
            throws IOException, InterruptedException {
        byte[] raw = area.readLock();
        Content c = DiskLayout.decode(raw, 0);
        long next = 1;
        if (c instanceof Block b && b.kind() == DiskLayout.KIND_LOCK) {
            next = b.sequence() + 1;
            if (!side.contains(b.writer()) && !stale(raw)) {
                return false;
            }
        } else if (!(c instanceof DiskLayout.Zero) && !stale(raw)) {
            return false; // garbage: maybe a torn claim of the other side; wait it out like a lock
        }
        if (op.isCancelled() || op.remaining().toMillis() < SETTLE_MILLIS + 200) {
            return false;
        }
        area.writeLock(DiskLayout.encode(new Block(DiskLayout.KIND_LOCK, mySlot, 0, next, me,
                ByteBuffer.allocate(4).putInt((int) LEASE_MILLIS).array())));
        Thread.sleep(SETTLE_MILLIS);
        Content back = DiskLayout.decode(area.readLock(), 0);
        watched = 0;
        return back instanceof Block b && b.kind() == DiskLayout.KIND_LOCK && side.contains(b.writer());
    }

    /** @return true once the other side's lock has been seen unchanged for the lease */
    private boolean stale(byte[] raw) {
        int h = Arrays.hashCode(raw);
        long now = System.nanoTime();
        if (h != watched || watched == 0) {
            watched = h;
            watchedSince = now;
            return false;
        }
        return now - watchedSince >= TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS);
    }
}
