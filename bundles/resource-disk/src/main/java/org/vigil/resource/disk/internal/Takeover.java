package org.vigil.resource.disk.internal;

import java.util.Optional;
import org.vigil.resource.disk.internal.ReservationRecord.Content;
import org.vigil.resource.disk.internal.ReservationRecord.Empty;
import org.vigil.resource.disk.internal.ReservationRecord.Foreign;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;

/**
 * What a starting node does with the reservation record it read, before anything is mounted (pure: the record and
 * the core's proofs in, a step out). Only a record that names exactly a node the core proved stopped is taken at
 * once; any other holder (a third node, a torn record naming nobody) is watched for its whole lease as before.
 */
final class Takeover {

    private Takeover() {
    }

    /** What to do. */
    enum Step {
        /** The area holds something that is not a Vigil reservation: refuse, write nothing. */
        REFUSE_FOREIGN,
        /** Nobody holds it (empty or released): claim it. */
        CLAIM,
        /** This node holds it already: renew. */
        RENEW,
        /** The node it names has been proven stopped: claim it now (still read back after the settle time). */
        CLAIM_PROVEN,
        /** Another node holds it, not proven stopped: watch for its lease. */
        CONTEST
    }

    /**
     * @param step  what to do
     * @param proof for {@link Step#CLAIM_PROVEN}, the proof in words; otherwise null
     */
    record Decision(Step step, String proof) {
    }

    /**
     * @param content what the record block holds
     * @param self    this node's name
     * @param proofs  what the core proved
     * @return the step
     */
    static Decision decide(Content content, String self, HolderStopped proofs) {
        if (content instanceof Foreign) {
            return new Decision(Step.REFUSE_FOREIGN, null);
        }
        if (content instanceof Empty) {
            return new Decision(Step.CLAIM, null);
        }
        if (content instanceof Valid v) {
            ReservationRecord r = v.record();
            if (!r.held()) {
                return new Decision(Step.CLAIM, null);
            }
            if (r.node().equals(self)) {
                return new Decision(Step.RENEW, null);
            }
            Optional<String> proof = proofs.proof(r.node());
            if (proof.isPresent()) {
                return new Decision(Step.CLAIM_PROVEN, proof.get());
            }
        }
        return new Decision(Step.CONTEST, null);
    }
}
