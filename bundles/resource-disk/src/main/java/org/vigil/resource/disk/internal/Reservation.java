package org.vigil.resource.disk.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.resource.disk.internal.ReservationRecord.Content;
import org.vigil.resource.disk.internal.ReservationRecord.Empty;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;

/**
 * The ownership reservation of one shared disk, kept on the disk itself in the last MiB of the device,
 * outside the file system, so a node reads it before mounting anything.
 *
 * <p>Rules. A node acquires the disk only when the record is empty or released, when it already holds it,
 * or when the holder is presumed dead: the holder did not renew its record while this node watched it for
 * the holder's whole lease (measured on this node's monotonic clock, so no two clocks are compared), or
 * the core proved that exactly the holder the record names has stopped ({@link HolderStopped}: fenced, confirmed
 * down, left, or its lease or self-fencing bound passed under quorum). A holder renews at every monitor. After writing,
 * a node waits {@link #SETTLE} and reads the record back: of two nodes that claimed at the same moment,
 * only the last writer finds its own record and goes on.
 *
 * <p>The reservation is cooperative: it keeps Vigil nodes from mounting a disk another live Vigil node
 * holds. A node frozen for longer than its lease (or, when the core's proof is its lease, longer than the core's
 * freeze bound) still holds its mount when it wakes; only fencing makes that safe.
 */
final class Reservation {

    /** The reservation area: the last MiB of the device (of its 4 KiB-aligned part). */
    static final long AREA = 1L << 20;

    /** How often a challenger reads the record while it waits for the holder to renew. */
    static final Duration POLL = Duration.ofMillis(250);

    /** How long a claimant waits before reading its claim back. */
    static final Duration SETTLE = Duration.ofMillis(500);

    private final Path device;
    private final long offset;
    private final String node;
    private final Duration lease;
    private final HolderStopped proofs;

    /**
     * @param device  the block device
     * @param offset  where the reservation area starts ({@link #areaOffset})
     * @param node    this node's name
     * @param lease   this node's reservation-timeout, written into its records
     * @param proofs  which holders the core proved stopped
     */
    Reservation(Path device, long offset, String node, Duration lease, HolderStopped proofs) {
        this.device = device;
        this.offset = offset;
        this.node = node;
        this.lease = lease;
        this.proofs = proofs;
    }

    /** @param deviceSize the device's size in bytes; @return the offset of its reservation area */
    static long areaOffset(long deviceSize) {
        return deviceSize / BlockDevice.BLOCK * BlockDevice.BLOCK - AREA;
    }

    /**
     * Opens the reservation of a device after checking that the device is large enough and that its file
     * system ends before the reservation area, reading only the device (nothing is written). Checked at
     * every use, since a file system can be grown while mounted.
     *
     * @param device  the device
     * @param number  its device number
     * @param fsType  the configured file system type
     * @param node    this node's name
     * @param lease   this node's reservation-timeout
     * @param proofs  which holders the core proved stopped
     * @return the reservation, or the reason it cannot be used on this device
     */
    static Opened open(Path device, DeviceNumber number, String fsType, String node, Duration lease,
            HolderStopped proofs) throws IOException {
        long size = BlockDevice.size(number);
        long area = areaOffset(size);
        if (area < AREA) {
            return new Opened(null, DiskConfig.DEVICE + ": " + device + " is " + size + " bytes; a disk with a"
                    + " reservation must be at least 2 MiB (its last MiB holds the reservation)");
        }
        OptionalLong fsSize = FileSystemSize.of(fsType, BlockDevice.read(device, 0, FileSystemSize.HEAD));
        if (fsSize.isEmpty()) {
            return new Opened(null, DiskConfig.DEVICE + ": no " + fsType + " file system on " + device
                    + " (no superblock found); create one that leaves the last MiB free: " + mkfsHint(fsType, device,
                            area) + " (or check " + DiskConfig.FSTYPE + ")");
        }
        if (fsSize.getAsLong() > area) {
            return new Opened(null, DiskConfig.DEVICE + ": the " + fsType + " file system on " + device + " is "
                    + fsSize.getAsLong() + " bytes and reaches into the reservation area (the last MiB, from byte "
                    + area + "); writing the reservation would damage it. Re-create it at most " + area
                    + " bytes large (" + mkfsHint(fsType, device, area) + "), or set " + DiskConfig.RESERVATION
                    + "=false");
        }
        return new Opened(new Reservation(device, area, node, lease, proofs), null);
    }

    private static String mkfsHint(String fsType, Path device, long area) {
        return fsType.equals("xfs") ? "mkfs.xfs -d size=" + area + " " + device
                : "mkfs." + fsType + " -b 4096 " + device + " " + area / 4096;
    }

    /**
     * A usable reservation, or why there is none.
     *
     * @param reservation the reservation, or null
     * @param problem     the reason (naming the parameter), or null
     */
    record Opened(Reservation reservation, String problem) {
    }

    /** @return what the record block holds now, read from the disk */
    Content read() throws IOException {
        return ReservationRecord.decode(BlockDevice.read(device, offset, BlockDevice.BLOCK));
    }

    private byte[] readRaw() throws IOException {
        return BlockDevice.read(device, offset, BlockDevice.BLOCK);
    }

    private void write(ReservationRecord r) throws IOException {
        BlockDevice.write(device, offset, r.encode());
    }

    /**
     * Acquires the disk for this node, waiting (within the operation's budget) to find out whether another
     * holder is alive.
     *
     * @param op the start operation's budget
     * @param reserve how much of the budget to leave for what comes after (fsck, mount)
     * @return OK (with a note when something worth telling happened), FAILED naming the holder, or
     *         NOT_CONFIGURED when the area holds something else
     * @throws InterruptedException when the core abandons the start
     */
    OperationResult acquire(OperationContext op, Duration reserve) throws IOException, InterruptedException {
        byte[] raw = readRaw();
        Content content = ReservationRecord.decode(raw);
        Takeover.Decision d = Takeover.decide(content, node, proofs);
        ReservationRecord r = content instanceof Valid v ? v.record() : null;
        switch (d.step()) {
            case REFUSE_FOREIGN:
                return OperationResult.notConfigured(DiskConfig.DEVICE + ": the reservation area of " + device
                        + " (its last MiB, from byte " + offset + ") holds data that is not a Vigil reservation;"
                        + " refusing to overwrite it. Is the device used by something else, or the file system larger"
                        + " than it says? If the area is unused, clear it: dd if=/dev/zero of=" + device + " bs=4096"
                        + " seek=" + offset / BlockDevice.BLOCK + " count=1 oflag=direct");
            case CLAIM:
                return claim(r, op, "");
            case RENEW:
                write(renewed(r));
                return OperationResult.ok();
            case CLAIM_PROVEN:
                return claim(r, op, "took the disk over from node '" + r.node() + "', " + d.proof());
            default:
                break;
        }
        return contest(raw, content, op, reserve);
    }

    /** Watches another holder's record for its lease: a renewal means it is alive, none that it is dead. */
    private OperationResult contest(byte[] raw, Content content, OperationContext op, Duration reserve)
            throws IOException, InterruptedException {
        ReservationRecord holder = content instanceof Valid v ? v.record() : null;
        String who = holder != null ? "node '" + holder.node() + "'" : "an unknown node (the record is "
                + content.describe() + ")";
        Duration holderLease = holder != null ? clamp(Duration.ofMillis(holder.leaseMillis())) : lease;
        long started = System.nanoTime();
        long deadline = started + holderLease.plus(POLL).toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (op.isCancelled() || op.remaining().compareTo(reserve.plus(POLL).plus(SETTLE)) < 0) {
                return OperationResult.failed(DiskConfig.DEVICE + ": " + device + " is reserved by " + who
                        + ", which has not renewed its reservation for " + seconds(System.nanoTime() - started)
                        + " so far; it is presumed dead after " + DiskConfig.human(holderLease) + " without renewal,"
                        + " and the start timeout leaves no time to wait that out. Nothing was mounted.");
            }
            Thread.sleep(POLL.toMillis());
            byte[] now = readRaw();
            if (Arrays.equals(now, raw)) {
                continue;
            }
            Content c = ReservationRecord.decode(now);
            if (c instanceof Empty || (c instanceof Valid v && !v.record().held())) {
                return claim(c instanceof Valid v2 ? v2.record() : null, op, "");
            }
            if (c instanceof Valid v && v.record().node().equals(node)) {
                return OperationResult.failed(DiskConfig.DEVICE + ": the reservation of " + device
                        + " changed to this node's name while this node was waiting for it: are two nodes"
                        + " configured with the name '" + node + "'? Nothing was mounted.");
            }
            String holderNow = c instanceof Valid v ? "node '" + v.record().node() + "'" : who;
            return OperationResult.failed(DiskConfig.DEVICE + ": " + device + " is reserved by " + holderNow
                    + ", which is alive: it renewed its reservation while this node watched. Refusing to mount it"
                    + " here; stop it there first (switchover). If that node is down, its reservation lapses after "
                    + DiskConfig.human(holderLease) + " without renewal. Nothing was mounted.");
        }
        return claim(holder, op, "took the disk over from " + who + ", whose reservation was not renewed for "
                + DiskConfig.human(holderLease) + " (presumed dead)");
    }

    /** Writes this node's claim, lets a concurrent claimant's write land, and reads it back. */
    private OperationResult claim(ReservationRecord previous, OperationContext op, String note)
            throws IOException, InterruptedException {
        ReservationRecord mine = new ReservationRecord(true, previous == null ? 1 : previous.incarnation() + 1,
                previous == null ? 1 : previous.renewals() + 1, System.currentTimeMillis(), lease.toMillis(), node);
        write(mine);
        Thread.sleep(SETTLE.toMillis());
        Content back = read();
        if (back instanceof Valid v && v.record().equals(mine)) {
            return note.isEmpty() ? OperationResult.ok() : OperationResult.ok(note);
        }
        if (previous != null && previous.held() && back instanceof Valid v && v.record().held()
                && v.record().node().equals(previous.node())) {
            return OperationResult.failed(DiskConfig.DEVICE + ": node '" + previous.node() + "' wrote the reservation"
                    + " of " + device + " again while this node claimed it: it is alive"
                    + (note.isEmpty() ? "" : " (this node had: " + note + ")") + ". Refusing to mount it here."
                    + " Nothing was mounted.");
        }
        return OperationResult.failed(DiskConfig.DEVICE + ": another node claimed the reservation of " + device
                + " at the same moment (it is now " + back.describe() + "); this node backs off. Nothing was mounted.");
    }

    /**
     * Renews this node's hold (at every monitor).
     *
     * @return empty when renewed, otherwise why this node no longer holds the disk
     */
    Optional<String> renew() throws IOException {
        Content c = read();
        if (c instanceof Valid v && v.record().held() && v.record().node().equals(node)) {
            write(renewed(v.record()));
            return Optional.empty();
        }
        if (c instanceof Empty || (c instanceof Valid v && !v.record().held())) {
            // Nobody holds it (cleared by an admin, or reservation was switched on while mounted): hold it again.
            ReservationRecord previous = c instanceof Valid v ? v.record() : null;
            write(new ReservationRecord(true, previous == null ? 1 : previous.incarnation() + 1,
                    previous == null ? 1 : previous.renewals() + 1, System.currentTimeMillis(), lease.toMillis(), node));
            return Optional.empty();
        }
        return Optional.of("the reservation of " + device + " is now " + c.describe()
                + ": another node has taken the disk over while it is mounted here");
    }

    /**
     * Marks the disk released, if this node holds it; another node's record is left alone.
     *
     * @return true when this node held it and has released it
     */
    boolean release() throws IOException {
        Content c = read();
        if (c instanceof Valid v && v.record().held() && v.record().node().equals(node)) {
            ReservationRecord r = v.record();
            write(new ReservationRecord(false, r.incarnation(), r.renewals() + 1, System.currentTimeMillis(),
                    r.leaseMillis(), node));
            return true;
        }
        return false;
    }

    /** @return true when the record says this node holds the disk */
    boolean heldHere() throws IOException {
        return read() instanceof Valid v && v.record().held() && v.record().node().equals(node);
    }

    private ReservationRecord renewed(ReservationRecord r) {
        return new ReservationRecord(true, r.incarnation(), r.renewals() + 1, System.currentTimeMillis(),
                lease.toMillis(), node);
    }

    /** A record's lease as this node honours it: never less than the minimum, never more than the maximum. */
    private static Duration clamp(Duration d) {
        if (d.compareTo(DiskConfig.MIN_RESERVATION_TIMEOUT) < 0) {
            return DiskConfig.MIN_RESERVATION_TIMEOUT;
        }
        return d.compareTo(DiskConfig.MAX_RESERVATION_TIMEOUT) > 0 ? DiskConfig.MAX_RESERVATION_TIMEOUT : d;
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
