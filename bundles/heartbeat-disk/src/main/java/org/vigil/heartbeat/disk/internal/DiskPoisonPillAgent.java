package org.vigil.heartbeat.disk.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vigil.api.ParameterDescription;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceAgentDescription;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.heartbeat.disk.internal.DiskLayout.Block;
import org.vigil.heartbeat.disk.internal.DiskLayout.Content;

/**
 * Fence agent {@code disk-poison}: writes a signed poison pill into the target's slot on the heartbeat
 * disk and reports the node off only when it is certain:
 * <ul>
 * <li>the target acknowledged "quiet" (its core stopped every resource), signed with the cluster key; or
 * <li>the target showed no sign of reading the pill (no "obeying" acknowledgement) for twice the
 *     self-fence bound it publishes in its owner block: a node that can read its slot obeys within one
 *     poll, and one that cannot has fenced itself after one bound (sbd's msgwait = 2 x watchdog timeout).
 * </ul>
 * A target that answered "obeying" but never "quiet" (a stop that failed or is still running), or that
 * publishes no bound, is never reported off: the request fails at its timeout.
 */
@Component(service = FenceAgent.class)
public class DiskPoisonPillAgent implements FenceAgent {

    /** The fence device type admins configure. */
    public static final String TYPE = "disk-poison";
    private static final long POLL_MILLIS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final FenceAgentDescription DESCRIPTION = new FenceAgentDescription(TYPE,
            "poison pill on the heartbeat disk: the target stops everything and acknowledges, or is off once it "
                    + "has not answered for twice its self-fence bound",
            List.of(ParameterDescription.required(DiskConfig.DEVICE,
                    "The heartbeat disk (the device of a disk heartbeat path), the same disk on every node")),
            Duration.ofSeconds(30));

    private volatile FenceMessageSigner signer;

    /** For DS. */
    public DiskPoisonPillAgent() {
    }

    /**
     * An agent with a fixed signer, outside OSGi (tests that play the fencing node, in or out of this module).
     *
     * @param signer the signer
     */
    public DiskPoisonPillAgent(FenceMessageSigner signer) {
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
    public FenceAgentDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public List<String> validate(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        DiskConfig.device(parameters == null ? Map.of() : parameters, problems);
        return problems;
    }

    @Override
    public FenceResult fence(String node, FenceAction action, Map<String, String> parameters, OperationContext op) {
        List<String> problems = new ArrayList<>();
        Path device = DiskConfig.device(parameters == null ? Map.of() : parameters, problems);
        if (!problems.isEmpty()) {
            return failed(String.join("; ", problems));
        }
        FenceMessageSigner s = signer;
        if (s == null) {
            return failed("no cluster key on this node: a poison pill could not be signed");
        }
        try {
            DiskArea area = DiskArea.open(device, DiskConfig.DEFAULT_SLOTS, s.nodeName(), false);
            Map<Integer, Content> owners = area.owners();
            int slot = DiskArea.slotOf(owners, node);
            if (slot < 0) {
                return failed(DiskConfig.DEVICE + ": node '" + node + "' has no slot on " + device
                        + " (it never opened a disk heartbeat path there)");
            }
            Block owner = (Block) owners.get(slot);
            return switch (action) {
                case OFF -> off(area, slot, node, owner, s, op);
                case STATUS -> status(area, slot, node, owner, op);
                case REBOOT -> failed("disk-poison cannot power a node back on: use OFF (the node stops everything "
                        + "and waits for vigil:cleanup or a restart)");
            };
        } catch (IOException | RuntimeException e) {
            return failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted");
        }
    }

    private FenceResult off(DiskArea area, int slot, String node, Block owner, FenceMessageSigner s, OperationContext op)
            throws IOException, InterruptedException {
        long nonce = RANDOM.nextLong();
        String reason = "fenced by node '" + s.nodeName() + "'";
        byte[] signed = s.sign(node, PillBody.pill(owner.incarnation(), nonce, reason));
        area.write(slot, DiskLayout.PILL, DiskLayout.encode(new Block(DiskLayout.KIND_PILL, slot, owner.incarnation(), 0,
                s.nodeName(), signed)));
        long written = System.nanoTime();
        int bound = DiskLayout.selfFenceOf(owner);
        long msgwait = bound > 0 ? TimeUnit.MILLISECONDS.toNanos(2L * bound) : Long.MAX_VALUE;
        boolean obeying = false;
        String lastRead = "";
        while (!op.isCancelled() && op.remaining().toMillis() > POLL_MILLIS) {
            Thread.sleep(POLL_MILLIS);
            Optional<PillBody.Ack> ack;
            try {
                ack = ack(area.readBlock(slot, DiskLayout.ACK), s, node, nonce);
                lastRead = "";
            } catch (IOException e) {
                ack = Optional.empty();
                lastRead = "; the disk could not be read: " + e.getMessage();
            }
            if (ack.isPresent() && ack.get().state() == PillBody.QUIET) {
                return new FenceResult(FenceResult.Outcome.NODE_OFF, "node '" + node + "' acknowledged the poison pill: "
                        + "it stopped all its resources and starts none until vigil:cleanup or a restart");
            }
            obeying |= ack.isPresent();
            if (!obeying && System.nanoTime() - written >= msgwait) {
                return new FenceResult(FenceResult.Outcome.NODE_OFF, "node '" + node + "' did not answer the poison pill "
                        + "for " + 2L * bound + " ms, twice the self-fence bound it publishes: it is down, or it "
                        + "could not read its slot and has fenced itself");
            }
        }
        return failed("node '" + node + "' " + (obeying ? "is obeying the poison pill but has not reported that all its "
                + "resources stopped (a stop is slow or failed)" : bound > 0 ? "did not answer the poison pill, and the "
                + 2L * bound + " ms after which silence counts as off have not passed within the request's timeout"
                : "did not answer the poison pill, and it publishes no self-fence bound (self-fence-timeout-ms=0), so "
                + "only its acknowledgement counts") + lastRead);
    }

    private static Optional<PillBody.Ack> ack(byte[] block, FenceMessageSigner s, String node, long nonce) {
        Content c = DiskLayout.decode(block, 0);
        if (!(c instanceof Block b) || b.kind() != DiskLayout.KIND_ACK) {
            return Optional.empty();
        }
        return s.verify(b.payload()).filter(m -> m.sender().equals(node) && m.recipient().equals(s.nodeName()))
                .flatMap(m -> PillBody.readAck(m.body())).filter(a -> a.nonce() == nonce);
    }

    private FenceResult status(DiskArea area, int slot, String node, Block owner, OperationContext op)
            throws IOException, InterruptedException {
        byte[] before = area.readSlot(slot);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10L * DiskLayout.intervalOf(owner) + 1000);
        while (System.nanoTime() - until < 0 && !op.isCancelled()) {
            Thread.sleep(POLL_MILLIS);
            byte[] now = area.readSlot(slot);
            if (!java.util.Arrays.equals(before, 0, (1 + DiskLayout.RING) * DiskLayout.BLOCK, now, 0,
                    (1 + DiskLayout.RING) * DiskLayout.BLOCK)) {
                return new FenceResult(FenceResult.Outcome.NODE_ON, "node '" + node + "' is writing its slot on "
                        + area.device());
            }
        }
        return failed("node '" + node + "' did not write its slot on " + area.device() + " while watched; that alone "
                + "does not prove it is off");
    }

    private static FenceResult failed(String message) {
        return new FenceResult(FenceResult.Outcome.FAILED, message);
    }
}
