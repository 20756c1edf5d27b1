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
        DiskTransport t = DiskTransport.open(PathParameters.require(context, DiskConfig::parse), context, () -> signer,
                open::remove);
        open.add(t);
        return t;
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

    /** @return the nodes whose slots showed a new message within the given time on any open path (for the status) */
    List<String> writersWithin(long nanos) {
        return open.stream().flatMap(t -> t.writersWithin(nanos).stream()).distinct().sorted().toList();
    }
}
