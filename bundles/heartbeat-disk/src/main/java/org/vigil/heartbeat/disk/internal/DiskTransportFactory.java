package org.vigil.heartbeat.disk.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vigil.api.ParameterDescription;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationContext;
import org.vigil.plugin.support.heartbeat.PathParameters;

/**
 * Heartbeat paths of type {@code disk}: one slot per node on a shared disk, written with
 * {@code O_DIRECT | O_DSYNC} and polled by the others (layout: {@link DiskLayout}). Like every transport it
 * moves the core's signed frames unchanged; it also carries poison pills (checked with the core's
 * {@link FenceMessageSigner}) and fences this node when it cannot read its slot for its bound.
 *
 * <p>It is also the quorum disk: a {@link TieBreaker} of type {@code disk} ({@code quorum.tiebreaker = disk}
 * in {@code etc/org.vigil.node.cfg}) that decides a tie by the lock on the disk of an open disk path
 * ({@link DiskLock}).
 */
@Component(service = {HeartbeatTransportFactory.class, TieBreaker.class})
public class DiskTransportFactory implements HeartbeatTransportFactory, TieBreaker {

    /** The path type admins write in a path configuration. */
    public static final String TYPE = "disk";

    private static final TransportDescription DESCRIPTION = new TransportDescription(TYPE,
            "slots on a shared disk every node reads (O_DIRECT); heartbeats only, frames up to "
                    + DiskLayout.MAX_PAYLOAD + " bytes (the cluster document travels on the network paths); carries "
                    + "poison pills (fence agent disk-poison)",
            List.of(
                    ParameterDescription.required(DiskConfig.DEVICE,
                            "The shared disk, as an absolute path, the same disk on every node (better a stable "
                                    + "/dev/disk/by-id/... link): a small LUN or partition of its own (1 MiB + 4 KiB "
                                    + "for 16 slots). Vigil uses it from byte 0; it refuses a device that is mounted, "
                                    + "held by LVM/md/dm, or holds anything but zeros or a Vigil heartbeat layout."),
                    ParameterDescription.optional(DiskConfig.INTERVAL,
                            "How often this node reads the other nodes' slots and its own, in milliseconds (10 to "
                                    + "1000). Each poll reads 44 KiB per node. Keep it at or below the heartbeat interval.",
                            Integer.toString(DiskConfig.DEFAULT_INTERVAL_MS)),
                    ParameterDescription.optional(DiskConfig.SELF_FENCE,
                            "A node that has not read its own slot for this long (the disk is gone, or the node was "
                                    + "frozen) stops all its resources, and a disk-poison fence agent declares a node "
                                    + "that does not answer a pill off after twice this. At least 10 polls; must exceed "
                                    + "the longest resource stop. 0: never self-fence (a pill then counts only when "
                                    + "acknowledged).",
                            Integer.toString(DiskConfig.DEFAULT_SELF_FENCE_MS)),
                    ParameterDescription.optional(DiskConfig.SLOTS,
                            "How many slots (nodes) an empty disk is laid out with, 2 to " + DiskLayout.MAX_SLOTS
                                    + "; a disk already laid out keeps its own count.",
                            Integer.toString(DiskConfig.DEFAULT_SLOTS))));

    private volatile FenceMessageSigner signer;
    private final List<DiskTransport> open = new CopyOnWriteArrayList<>();
    private final DiskLock lock = new DiskLock();
    /** Path name to when (monotonic ns) opening it began to fail. */
    private final Map<String, Long> failingSince = new java.util.concurrent.ConcurrentHashMap<>();
    /** Paths whose failing open has fenced this node (once per failing streak). */
    private final Set<String> selfFenced = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** For DS. */
    public DiskTransportFactory() {
    }

    /** For tests: a factory with a fixed signer. @param signer the signer, or null */
    DiskTransportFactory(FenceMessageSigner signer) {
        this.signer = signer;
    }

    /** @param s the core's signer */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setSigner(FenceMessageSigner s) {
        signer = s;
    }

    /** @param s the signer going away */
    void unsetSigner(FenceMessageSigner s) {
        if (signer == s) {
            signer = null;
        }
    }

    @Override
    public TransportDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public List<String> validate(Map<String, String> parameters) {
        return PathParameters.validate(parameters, DiskConfig::parse);
    }

    @Override
    public HeartbeatTransport open(PathContext context) throws IOException {
        DiskConfig config = PathParameters.require(context, DiskConfig::parse);
        DiskTransport t;
        try {
            t = DiskTransport.open(config, context, () -> signer, open::remove);
        } catch (IOException e) {
            selfFenceIfUnreadableTooLong(config, context, e);
            throw e;
        }
        failingSince.remove(context.pathName());
        selfFenced.remove(context.pathName());
        open.add(t);
        return t;
    }

    /**
     * A node that cannot even open its disk path has not read its slot either: it may have published its
     * self-fence bound there in an earlier run (a fencer relies on it), so past that bound it fences itself
     * as an open path would. The core retries a failed open every 2 s.
     */
    private void selfFenceIfUnreadableTooLong(DiskConfig config, PathContext context, IOException e) {
        if (config.selfFenceMs() <= 0) {
            return;
        }
        long now = System.nanoTime();
        long since = failingSince.computeIfAbsent(context.pathName(), k -> now);
        long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(now - since);
        if (ms > config.selfFenceMs() && selfFenced.add(context.pathName())) {
            context.fenceRequested(context.nodeName(), "self-fencing: the disk path cannot be opened (" + e.getMessage()
                    + ") for " + ms + " ms, longer than " + DiskConfig.SELF_FENCE + " " + config.selfFenceMs()
                    + "; a fencer may rely on the bound this node published in an earlier run");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * Decides a tie by the lock on the disk of the first open disk path that reads its device. Without
     * one, this side loses (it cannot show it reaches the disk).
     */
    @Override
    public boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op) {
        for (DiskTransport t : open) {
            if (t.isUp()) {
                try {
                    return lock.wins(t.area(), localNode, t.slot(), side, op);
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }
}
