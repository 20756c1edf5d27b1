package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.StopProof;
import org.vigil.resource.disk.internal.ReservationRecord.Content;
import org.vigil.resource.disk.internal.ReservationRecord.Empty;
import org.vigil.resource.disk.internal.ReservationRecord.Foreign;
import org.vigil.resource.disk.internal.ReservationRecord.Unreadable;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;
import org.vigil.resource.disk.internal.Takeover.Step;
import org.vigil.tck.TestResourceContext;

/** What a starting node does with the record it read, given what the core proved: only the named holder's proof counts. */
class TakeoverTest {

    private static final HolderStopped NODE1_PROVEN = proofs(Map.of("node1", "which the cluster proved stopped (x)"));

    private static HolderStopped proofs(Map<String, String> byNode) {
        return node -> Optional.ofNullable(byNode.get(node));
    }

    private static Content held(String node) {
        return new Valid(new ReservationRecord(true, 3, 40, 0, 6000, node));
    }

    @Test
    void aRecordNamingTheProvenNodeIsClaimedAtOnceWithTheProof() {
        Takeover.Decision d = Takeover.decide(held("node1"), "node2", NODE1_PROVEN);
        assertThat(d.step()).isEqualTo(Step.CLAIM_PROVEN);
        assertThat(d.proof()).isEqualTo("which the cluster proved stopped (x)");
    }

    @Test
    void aRecordNamingAnotherNodeThanTheProvenOneIsContested() {
        assertThat(Takeover.decide(held("node3"), "node2", NODE1_PROVEN).step()).as("a third node's reservation")
                .isEqualTo(Step.CONTEST);
    }

    @Test
    void withoutAProofAHolderIsContested() {
        assertThat(Takeover.decide(held("node1"), "node2", HolderStopped.NONE).step()).isEqualTo(Step.CONTEST);
    }

    @Test
    void aTornRecordNamesNobodyAndIsContestedWhateverIsProven() {
        assertThat(Takeover.decide(new Unreadable("checksum mismatch"), "node2", NODE1_PROVEN).step())
                .isEqualTo(Step.CONTEST);
    }

    @Test
    void freeReleasedOwnAndForeignRecordsAreDecidedAsBefore() {
        assertThat(Takeover.decide(new Empty(), "node2", NODE1_PROVEN).step()).isEqualTo(Step.CLAIM);
        assertThat(Takeover.decide(new Valid(new ReservationRecord(false, 3, 41, 0, 6000, "node1")), "node2",
                HolderStopped.NONE).step()).isEqualTo(Step.CLAIM);
        assertThat(Takeover.decide(held("node2"), "node2", NODE1_PROVEN).step()).isEqualTo(Step.RENEW);
        assertThat(Takeover.decide(new Foreign(), "node2", NODE1_PROVEN).step()).isEqualTo(Step.REFUSE_FOREIGN);
    }

    @Test
    void theCoresFencingAndItsProofsBothCountAndANodeWithNeitherDoesNot() {
        TestResourceContext ctx = new TestResourceContext(new DiskResourceType().describe(), "shared", "node2", Map.of(),
                Path.of(System.getProperty("java.io.tmpdir"), "takeover-test"));
        try {
            HolderStopped proofs = HolderStopped.of(ctx);
            assertThat(proofs.proof("node1")).isEmpty();
            ctx.provenStopped(new StopProof("node1", StopProof.Kind.LEASE_LAPSED, "its lease lapsed 0.10 s ago"));
            assertThat(proofs.proof("node1")).hasValueSatisfying(p -> assertThat(p)
                    .contains("proved stopped (its lease lapsed 0.10 s ago)"));
            ctx.fenced("node3");
            assertThat(proofs.proof("node3")).contains("which has been fenced");
            assertThat(proofs.proof("node4")).isEmpty();
        } finally {
            ctx.close();
        }
    }
}
