package org.vigil.heartbeat.disk.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.heartbeat.disk.internal.DiskLayout.Block;
import org.vigil.heartbeat.disk.internal.DiskLayout.Content;
import org.vigil.heartbeat.disk.internal.DiskLayout.Garbage;

/**
 * One open disk path. No thread of its own: {@link #send} writes the frame into the next block of this
 * node's message ring ({@code O_DIRECT | O_DSYNC}); {@link #receive} polls every {@code interval-ms}:
 * this node's own slot (ownership, poison pill) and every other claimed slot's ring, handing each new
 * message (a higher sequence number within the writer's current incarnation) to the core in order.
 *
 * <p><b>Garbage.</b> A block that is neither zeros nor a well-formed block with a good CRC-32C (a torn
 * write read mid-way, random bytes, another program's data) is counted once per distinct content and
 * skipped; the ring's other blocks still deliver.
 *
 * <p><b>Losing the device.</b> A failed read or write reports the local link down (once) and the poll
 * retries at every interval; the link is reported up once the device reads again and still carries
 * this layout and this node's slot.
 *
 * <p><b>Poison pill.</b> A pill in this node's slot that verifies with the cluster key, is addressed to
 * this node and was not acknowledged before makes the transport write "obeying", tell the core
 * ({@link PathContext#fenceRequested}), and, once the core says nothing runs here any more, write "quiet".
 *
 * <p><b>Self-fencing.</b> With {@code self-fence-timeout-ms} set, a node that has not read its own slot
 * for that long (the disk is gone, or this process was frozen) asks the core to fence itself before
 * anything else, because a fencer treats a silent slot as fenced after twice that bound.
 */
final class DiskTransport implements HeartbeatTransport {

    /** How often the owner blocks of all slots are read to find nodes that joined. */
    static final long SCAN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SLICE_MILLIS = 50;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What this node knows of another node's slot. */
    private static final class Peer {
        final int slot;
        String name;
        long incarnation;
        long lastSequence;
        boolean baselined;
        final int[] garbage = new int[DiskLayout.USED_BLOCKS];

        Peer(int slot, String name) {
            this.slot = slot;
            this.name = name;
        }
    }

    private final PathContext context;
    private final DiskConfig config;
    private final DiskArea area;
    private final int slot;
    private final long incarnation;
    private final String node;
    private final Supplier<FenceMessageSigner> signer;
    private final java.util.function.Consumer<DiskTransport> onClose;
    private final Object sendLock = new Object();
    private long sequence; // guarded by sendLock

    // Receiver thread only.
    private final Map<Integer, Peer> peers = new TreeMap<>();
    private final int[] ownGarbage = new int[DiskLayout.USED_BLOCKS];
    private long nextPollNanos;
    private long nextScanNanos;
    private long lastOwnReadNanos;
    private boolean selfFenced;
    private long pillNonce;
    private boolean pillQuiet;
    private boolean pillObeyingWritten;
    private String pillFrom;
    private String pillReason;

    private volatile boolean closed;
    private volatile boolean up = true;
    private volatile String downReason = "";
    private volatile String conflict;

    private DiskTransport(PathContext context, DiskConfig config, DiskArea area, int slot, long incarnation,
            Supplier<FenceMessageSigner> signer, java.util.function.Consumer<DiskTransport> onClose) {
        this.onClose = onClose;
        this.context = context;
        this.config = config;
        this.area = area;
        this.slot = slot;
        this.incarnation = incarnation;
        this.node = context.nodeName();
        this.signer = signer;
        long now = System.nanoTime();
        this.lastOwnReadNanos = now;
        this.nextPollNanos = now;
        this.nextScanNanos = now;
    }

    /**
     * Opens the device, checks it, lays it out if empty and claims this node's slot.
     *
     * @throws IOException naming the parameter when the path cannot be opened; the link is reported down
     */
    static DiskTransport open(DiskConfig config, PathContext context, Supplier<FenceMessageSigner> signer,
            java.util.function.Consumer<DiskTransport> onClose) throws IOException {
        try {
            DiskArea area = DiskArea.open(config.device(), config.slots(), context.nodeName(), true);
            long incarnation = RANDOM.nextLong() & Long.MAX_VALUE | 1;
            int slot = claim(area, context.nodeName(), incarnation, config);
            DiskTransport t = new DiskTransport(context, config, area, slot, incarnation, signer, onClose);
            t.scan();
            context.localLinkState(true, t.description());
            return t;
        } catch (IOException e) {
            context.localLinkState(false, e.getMessage());
            throw e;
        }
    }

    private String description() {
        return config.device() + " slot " + slot + " of " + area.slots() + ", polled every " + config.intervalMs()
                + " ms" + (config.selfFenceMs() > 0 ? ", self-fence after " + config.selfFenceMs() + " ms without reading it"
                        : ", no self-fencing");
    }

    private static byte[] ownerBlock(int slot, String node, long incarnation, DiskConfig config) {
        return DiskLayout.encode(new Block(DiskLayout.KIND_OWNER, slot, incarnation, 0, node,
                DiskLayout.ownerPayload(config.selfFenceMs(), config.intervalMs())));
    }

    /**
     * This node's slot: the one its name already owns, else the first free one. A claim is read back after
     * a settle time, so of two nodes claiming one slot at once only the last writer keeps it; the other
     * tries the next free slot.
     */
    static int claim(DiskArea area, String node, long incarnation, DiskConfig config) throws IOException {
        Map<Integer, Content> owners = area.owners();
        int mine = DiskArea.slotOf(owners, node);
        if (mine >= 0) {
            area.write(mine, DiskLayout.OWNER, ownerBlock(mine, node, incarnation, config));
            return mine;
        }
        long settle = Math.max(200, 2L * config.intervalMs());
        for (Map.Entry<Integer, Content> e : owners.entrySet()) {
            if (!(e.getValue() instanceof DiskLayout.Zero)) {
                continue;
            }
            int s = e.getKey();
            // Clear what a previous owner of the slot may have left (an admin zeroed only the owner block).
            for (int b = 1; b < DiskLayout.USED_BLOCKS; b++) {
                area.write(s, b, new byte[DiskLayout.BLOCK]);
            }
            area.write(s, DiskLayout.OWNER, ownerBlock(s, node, incarnation, config));
            sleep(settle);
            Content back = DiskLayout.decode(area.readBlock(s, DiskLayout.OWNER), 0);
            if (back instanceof Block b && b.writer().equals(node) && b.incarnation() == incarnation) {
                return s;
            }
        }
        List<String> owned = new ArrayList<>();
        owners.forEach((s, c) -> owned.add(s + "=" + (c instanceof Block b ? b.writer() : "unreadable")));
        throw new IOException(DiskConfig.DEVICE + ": all " + area.slots() + " slots of " + area.device()
                + " are claimed (" + String.join(", ", owned) + "); free the slot of a node that left with dd "
                + "if=/dev/zero of=" + area.device() + " bs=4096 seek=<2 + slot x 16> count=16 oflag=direct");
    }

    // ---- sending (the core's sender thread) ----

    @Override
    public void send(byte[] frame) throws IOException {
        if (frame.length > DiskLayout.MAX_PAYLOAD) {
            throw new IOException("frame of " + frame.length + " bytes is larger than the " + DiskLayout.MAX_PAYLOAD
                    + " bytes a disk block carries (path " + context.pathName() + " carries heartbeats, not documents)");
        }
        if (frame.length == 0) {
            throw new IOException("an empty frame cannot be sent");
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        String c = conflict;
        if (c != null) {
            throw new IOException(c);
        }
        synchronized (sendLock) {
            long n = sequence + 1;
            byte[] block = DiskLayout.encode(new Block(DiskLayout.KIND_MESSAGE, slot, incarnation, n, node, frame));
            try {
                area.write(slot, 1 + (int) ((n - 1) % DiskLayout.RING), block);
            } catch (IOException e) {
                throw new IOException("cannot write to " + config.device() + ": " + e.getMessage(), e);
            }
            sequence = n;
        }
    }

    // ---- receiving (the core's receiver thread) ----

    @Override
    public void receive(int maxWaitMillis) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMillis));
        while (!closed) {
            long now = System.nanoTime();
            if (now - nextPollNanos >= 0) {
                nextPollNanos = now + TimeUnit.MILLISECONDS.toNanos(config.intervalMs());
                if (poll(now)) {
                    return;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long untilPoll = nextPollNanos - System.nanoTime();
            sleep(Math.max(1, Math.min(SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(Math.min(left, untilPoll)) + 1)));
        }
    }

    /** One poll. @return true when a frame was handed over */
    private boolean poll(long now) {
        checkSelfFence(now);
        try {
            pollOwn(now);
            if (now - nextScanNanos >= 0) {
                nextScanNanos = now + SCAN_EVERY_NANOS;
                scan();
            }
            boolean delivered = false;
            for (Peer p : peers.values()) {
                delivered |= pollPeer(p);
            }
            if (!up && conflict == null) {
                up = true;
                context.localLinkState(true, description() + " again");
            }
            return delivered;
        } catch (IOException | RuntimeException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "it does not exist"
                    : e instanceof java.io.EOFException ? "it ends early, it was detached or shrunk (" + e.getMessage() + ")"
                    : String.valueOf(e.getMessage());
            down("cannot read " + config.device() + ": " + why + " (retrying every " + config.intervalMs() + " ms)");
            return false;
        }
    }

    private void down(String reason) {
        if (up || !reason.equals(downReason)) {
            up = false;
            downReason = reason;
            context.localLinkState(false, reason);
        }
    }

    private void checkSelfFence(long now) {
        long silent = now - lastOwnReadNanos;
        if (config.selfFenceMs() > 0 && !selfFenced && silent > TimeUnit.MILLISECONDS.toNanos(config.selfFenceMs())) {
            selfFenced = true;
            context.fenceRequested(node, "self-fencing: this node has not read its slot on " + config.device() + " for "
                    + TimeUnit.NANOSECONDS.toMillis(silent) + " ms (" + DiskConfig.SELF_FENCE + " " + config.selfFenceMs()
                    + "); a fencer may declare it off after twice that");
        }
    }

    private void pollOwn(long now) throws IOException {
        byte[] raw = area.readSlot(slot);
        Content owner = DiskLayout.decode(raw, 0);
        if (owner instanceof Block b && b.kind() == DiskLayout.KIND_OWNER && b.slot() == slot) {
            if (b.incarnation() != incarnation || !b.writer().equals(node)) {
                String c = DiskConfig.DEVICE + ": slot " + slot + " of " + config.device() + " was claimed by another "
                        + "writer (node '" + b.writer() + "', incarnation " + b.incarnation() + "): are two nodes named '"
                        + node + "', or is this path open twice? This node stops writing on this path";
                if (conflict == null) {
                    conflict = c;
                    up = false;
                    context.localLinkState(false, c);
                }
                return;
            }
        } else {
            if (owner instanceof Garbage g) {
                reportOwn(0, raw, "its own owner block: " + g.why());
            }
            // Zeros or garbage where this node's claim was (an admin cleared it, or the device was replaced).
            DiskArea.open(config.device(), config.slots(), node, true);
            area.write(slot, DiskLayout.OWNER, ownerBlock(slot, node, incarnation, config));
        }
        lastOwnReadNanos = now;
        selfFenced = false;
        handlePill(raw);
    }

    private void reportOwn(int block, byte[] raw, String what) {
        int h = Arrays.hashCode(Arrays.copyOfRange(raw, block * DiskLayout.BLOCK, (block + 1) * DiskLayout.BLOCK));
        if (ownGarbage[block] != h) {
            ownGarbage[block] = h;
            context.garbageDiscarded(what + " in slot " + slot + " of " + config.device());
        }
    }

    private void handlePill(byte[] raw) throws IOException {
        Content c = DiskLayout.decode(raw, DiskLayout.PILL * DiskLayout.BLOCK);
        if (c instanceof DiskLayout.Zero) {
            return;
        }
        if (!(c instanceof Block b) || b.kind() != DiskLayout.KIND_PILL) {
            reportOwn(DiskLayout.PILL, raw, "poison pill block: " + (c instanceof Garbage g ? g.why() : "not a pill"));
            return;
        }
        FenceMessageSigner s = signer.get();
        if (s == null) {
            reportOwn(DiskLayout.PILL, raw, "a poison pill that cannot be checked (no cluster key on this node), ignored,");
            return;
        }
        Optional<FenceMessageSigner.FenceMessage> m = s.verify(b.payload());
        Optional<PillBody.Pill> pill = m.filter(x -> x.recipient().equals(node)).flatMap(x -> PillBody.readPill(x.body()));
        if (pill.isEmpty()) {
            reportOwn(DiskLayout.PILL, raw, "a poison pill that does not verify with the cluster key (or is not addressed "
                    + "to '" + node + "'), ignored,");
            return;
        }
        long nonce = pill.get().nonce();
        String from = m.get().sender();
        if (nonce != pillNonce) {
            if (acknowledgedQuiet(raw, s, from, nonce)) {
                pillNonce = nonce;
                pillQuiet = true; // obeyed before this path was opened (the node was fenced, then restarted or cleaned up)
                return;
            }
            pillNonce = nonce;
            pillQuiet = false;
            pillObeyingWritten = false;
            pillFrom = from;
            pillReason = "poison pill " + Long.toHexString(nonce) + " from node '" + from + "' on " + config.device()
                    + (pill.get().reason().isEmpty() ? "" : ": " + pill.get().reason());
        }
        if (!pillQuiet) {
            // Obey first, then say so: a node that cannot write its answer still stops everything.
            boolean quiet = context.fenceRequested(pillFrom, pillReason);
            if (!pillObeyingWritten) {
                writeAck(s, pillFrom, nonce, PillBody.OBEYING);
                pillObeyingWritten = true;
            }
            if (quiet) {
                writeAck(s, pillFrom, nonce, PillBody.QUIET);
                pillQuiet = true;
            }
        }
    }

    private boolean acknowledgedQuiet(byte[] raw, FenceMessageSigner s, String from, long nonce) {
        Content c = DiskLayout.decode(raw, DiskLayout.ACK * DiskLayout.BLOCK);
        if (!(c instanceof Block b) || b.kind() != DiskLayout.KIND_ACK) {
            return false;
        }
        return s.verify(b.payload()).filter(x -> x.sender().equals(node) && x.recipient().equals(from))
                .flatMap(x -> PillBody.readAck(x.body()))
                .filter(a -> a.nonce() == nonce && a.state() == PillBody.QUIET).isPresent();
    }

    private void writeAck(FenceMessageSigner s, String to, long nonce, int state) throws IOException {
        byte[] signed = s.sign(to, PillBody.ack(incarnation, nonce, state));
        area.write(slot, DiskLayout.ACK, DiskLayout.encode(new Block(DiskLayout.KIND_ACK, slot, incarnation, 0, node, signed)));
    }

    /** Reads every slot's owner block: learns the nodes that claimed slots, forgets cleared ones. */
    private void scan() throws IOException {
        Map<Integer, Content> owners = area.owners();
        owners.forEach((s, c) -> {
            if (s == slot) {
                return;
            }
            if (c instanceof Block b && b.kind() == DiskLayout.KIND_OWNER && b.slot() == s) {
                peers.computeIfAbsent(s, k -> new Peer(k, b.writer()));
            } else if (c instanceof DiskLayout.Zero) {
                peers.remove(s);
            }
        });
    }

    private boolean pollPeer(Peer p) throws IOException {
        byte[] raw = area.readSlot(p.slot);
        Content owner = DiskLayout.decode(raw, 0);
        if (!(owner instanceof Block o) || o.kind() != DiskLayout.KIND_OWNER || o.slot() != p.slot) {
            if (owner instanceof Garbage g) {
                peerGarbage(p, 0, raw, g.why());
            }
            return false;
        }
        boolean fresh = !p.baselined;
        if (o.incarnation() != p.incarnation || !o.writer().equals(p.name)) {
            // The owner (re)opened its path: a new series of sequence numbers. At first sight, only what comes next.
            p.incarnation = o.incarnation();
            p.name = o.writer();
            p.lastSequence = 0;
        }
        List<Block> news = new ArrayList<>();
        long highest = p.lastSequence;
        for (int i = 1; i <= DiskLayout.RING; i++) {
            Content c = DiskLayout.decode(raw, i * DiskLayout.BLOCK);
            if (c instanceof Garbage g) {
                peerGarbage(p, i, raw, g.why());
            } else if (c instanceof Block b) {
                if (b.kind() != DiskLayout.KIND_MESSAGE || b.slot() != p.slot || !b.writer().equals(p.name)) {
                    peerGarbage(p, i, raw, "a block of kind " + b.kind() + " by '" + b.writer() + "' in the message ring");
                } else if (b.incarnation() == p.incarnation && b.sequence() > p.lastSequence) {
                    news.add(b);
                    highest = Math.max(highest, b.sequence());
                }
            }
        }
        p.baselined = true;
        if (fresh) {
            p.lastSequence = highest; // what was there before this node looked is history, not a heartbeat
            return false;
        }
        if (news.isEmpty()) {
            return false;
        }
        news.sort(Comparator.comparingLong(Block::sequence));
        String source = config.device() + " slot " + p.slot + " (" + p.name + ")";
        for (Block b : news) {
            context.frameReceived(b.payload(), 0, b.payload().length, source);
        }
        p.lastSequence = highest;
        return true;
    }

    private void peerGarbage(Peer p, int block, byte[] raw, String why) {
        int h = Arrays.hashCode(Arrays.copyOfRange(raw, block * DiskLayout.BLOCK, (block + 1) * DiskLayout.BLOCK));
        if (p.garbage[block] != h) {
            p.garbage[block] = h;
            context.garbageDiscarded(why + " in block " + block + " of slot " + p.slot + " (" + p.name + ") on "
                    + config.device());
        }
    }

    /** @return the area this path uses */
    DiskArea area() {
        return area;
    }

    /** @return true while the path reads and writes its device */
    boolean isUp() {
        return up && !closed;
    }

    /** @return this node's slot */
    int slot() {
        return slot;
    }

    /** @return this node's incarnation on the disk */
    long incarnation() {
        return incarnation;
    }

    private static void sleep(long millis) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the disk");
        }
    }

    @Override
    public int maxFrameSize() {
        return DiskLayout.MAX_PAYLOAD;
    }

    @Override
    public void close() {
        closed = true;
        onClose.accept(this);
    }
}
