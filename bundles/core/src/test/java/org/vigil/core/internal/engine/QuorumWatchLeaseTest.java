package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.membership.Lease;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.quorum.PingAnswers;
import org.vigil.core.internal.quorum.PingTieBreaker;

/**
 * How long a survivor waits for a lost peer by its lease promise: from its last receipt, the promise when the
 * peer's machine no longer answers ping (it crashed), the freeze bound when it still does (frozen, or only the
 * heartbeats cut), and nothing to count from when the peer made no promise.
 */
class QuorumWatchLeaseTest {

    private static final long INTERVAL = 100;
    private static final long DEAD_TIME = 600;
    private static final String PEER_ADDRESS = "198.51.100.12";

    private final AtomicLong clock = new AtomicLong(50_000);
    private final ExecutorService workers = Executors.newSingleThreadExecutor();
    private final MembershipTracker members = new MembershipTracker(INTERVAL, DEAD_TIME);
    private long peerLastAnswer;
    private boolean gatewayDown;

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private QuorumWatch watch() {
        return watch("");
    }

    private QuorumWatch watch(String winner) {
        QuorumWatch w = new QuorumWatch("n1", clock::get, members, new Alerts("n1"), workers, new Inbox(),
                new Proofs("n1", clock::get, members));
        PingAnswers answers = new PingAnswers() {
            @Override
            public long lastAnswer(String address) {
                return address.equals(PEER_ADDRESS) ? peerLastAnswer : gatewayDown ? 0 : clock.get();
            }

            @Override
            public long probingSince(String address) {
                return 0;
            }

            @Override
            public long lastReport(String address) {
                return clock.get();
            }
        };
        PingTieBreaker ping = new PingTieBreaker(PingTieBreaker.parse("203.0.113.1", "n2=" + PEER_ADDRESS, winner,
                new java.util.LinkedHashSet<>(List.of("n1", "n2")), 50, 500), answers, clock::get);
        w.setTieBreaker(() -> ping);
        return w;
    }

    private MembershipTracker.PeerView peerLost(long promise) {
        members.heard("n2", 1, "lan", clock.get());
        members.report("n2", 1, new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2"),
                PublicNetwork.NOT_WATCHED, promise));
        long lastHeard = clock.get();
        clock.addAndGet(DEAD_TIME + 10);
        members.evaluate(clock.get());
        MembershipTracker.PeerView p = members.peers(clock.get()).get("n2");
        assertThat(p.lastHeard()).isEqualTo(lastHeard);
        return p;
    }

    @Test
    void aCrashedPeerIsWaitedForUntilItsPromiseCountedFromTheLastReceipt() {
        QuorumWatch w = watch();
        long promise = Lease.promiseMillis(DEAD_TIME, INTERVAL);
        peerLastAnswer = clock.get(); // its machine answered until it went down with the last heartbeat
        MembershipTracker.PeerView p = peerLost(promise);
        assertThat(w.leaseUntil(p)).isEqualTo(p.lastHeard() + promise);
    }

    @Test
    void aPeerWhoseMachineStillAnswersIsWaitedForUntilTheFreezeBound() {
        QuorumWatch w = watch();
        long promise = Lease.promiseMillis(DEAD_TIME, INTERVAL);
        MembershipTracker.PeerView p = peerLost(promise);
        peerLastAnswer = clock.get(); // frozen process, live kernel: ping answers
        assertThat(w.leaseUntil(p)).isEqualTo(p.lastHeard() + Lease.FREEZE_MILLIS + Lease.STOP_MILLIS);
    }

    @Test
    void aPeerWithoutAPromiseHasNoLeaseToWaitOut() {
        QuorumWatch w = watch();
        MembershipTracker.PeerView p = peerLost(-1);
        assertThat(w.leaseUntil(p)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aHeardPeerThatStoppedAcknowledgingIsSuspectUntilItsLeaseMustHaveLapsed() {
        QuorumWatch w = watch();
        w.setQuorum(quorumOfTwo());
        long lease = Lease.leaseMillis(DEAD_TIME, INTERVAL);
        NodeReport hears = new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2"));
        members.acks().sent(1, clock.get());
        long sent = clock.get();
        clock.addAndGet(INTERVAL);
        members.heard("n2", 1, "lan", clock.get());
        members.report("n2", 1, hears);
        members.acks().counted("n2", 1, 1, 1);
        members.evaluate(clock.get());
        w.evaluateQuorum(clock.get(), members.peers(clock.get()), true);
        assertThat(w.unacknowledged()).isEmpty();
        // n2 keeps being heard (its frames reach n1) but acknowledges nothing newer: n1's frames do not reach it
        clock.set(sent + lease);
        members.heard("n2", 1, "lan", clock.get());
        members.evaluate(clock.get());
        assertThat(members.peers(clock.get()).get("n2").membership().isUp()).isTrue();
        w.evaluateQuorum(clock.get(), members.peers(clock.get()), true);
        assertThat(w.unacknowledged()).as("its report may be stale: what it knows of n1 is").containsExactly("n2");
        clock.set(sent + lease + Lease.STOP_MILLIS);
        members.heard("n2", 1, "lan", clock.get());
        members.evaluate(clock.get());
        w.evaluateQuorum(clock.get(), members.peers(clock.get()), true);
        assertThat(w.unacknowledged()).as("its lease rested on n1's acknowledgements alone: it has stopped; what it "
                + "reports now is what runs there").isEmpty();
    }

    private org.vigil.core.internal.membership.Quorum quorumOfTwo() {
        org.vigil.core.internal.membership.Quorum q = new org.vigil.core.internal.membership.Quorum("n1");
        q.configure(new org.vigil.core.internal.membership.Quorum.Settings(Map.of("n1", 1, "n2", 1), "", 5_000));
        return q;
    }

    private long seq;

    /** n2's frame reaches n1, acknowledging n1's frame sent just before. */
    private void exchange(long incarnation) {
        members.acks().sent(++seq, clock.get());
        clock.addAndGet(INTERVAL);
        members.heard("n2", incarnation, "lan", clock.get());
        members.report("n2", incarnation, new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2")));
        members.acks().counted("n2", incarnation, seq, seq);
        members.evaluate(clock.get());
    }

    /** n2's frame reaches n1, acknowledging nothing of n1's. */
    private void heardOnly(long incarnation) {
        peerLastAnswer = clock.get(); // its machine answers ping all along
        members.heard("n2", incarnation, "lan", clock.get());
        members.report("n2", incarnation, new NodeReport(0, Set.of(), true, Map.of(), true, 5_000, Set.of("n1", "n2")));
        members.evaluate(clock.get());
    }

    private boolean quorate(QuorumWatch w) {
        members.evaluate(clock.get());
        return w.evaluateQuorum(clock.get(), members.peers(clock.get()), true).has();
    }

    @Test
    void aWinnerThatLostQuorumWinsNoTieWhileThePeersMachineAnswersUntilItHearsThePeerAgain() {
        QuorumWatch w = watch(""); // n1, this node, is the tie-breaker winner
        w.setQuorum(pingQuorumOfTwo());
        exchange(1);
        assertThat(quorate(w)).as("n2 heard and acknowledging: a majority").isTrue();
        clock.addAndGet(DEAD_TIME + 10); // heartbeats cut: n2 lost, its machine still answers
        peerLastAnswer = clock.get();
        assertThat(quorate(w)).as("n1 had every member on its side since it last lost quorum: the winner's side wins")
                .isTrue();
        gatewayDown = true; // n1 cut off from the public network: it loses, n2 may win by n1's silence meanwhile
        clock.addAndGet(DEAD_TIME);
        peerLastAnswer = clock.get();
        assertThat(quorate(w)).isFalse();
        gatewayDown = false; // the cable back, the heartbeats still cut; n2's machine answers
        clock.addAndGet(INTERVAL);
        peerLastAnswer = clock.get();
        assertThat(quorate(w)).as("n1 lost quorum since it last heard n2, who may hold the groups now").isFalse();
        assertThat(w.last().detail()).contains("wait for all");
        clock.addAndGet(DEAD_TIME); // n2's machine goes down
        assertThat(quorate(w)).as("n2's address silent: n1 wins by its silence").isTrue();
    }

    @Test
    void aPeerFoundSilentWhileThisNodeHeldQuorumTakesNothingWhenItsMachineAnswersAgainUntilItIsHeard() {
        QuorumWatch w = watch("n2"); // the peer is the winner
        w.setQuorum(pingQuorumOfTwo());
        exchange(1);
        assertThat(quorate(w)).isTrue();
        peerLastAnswer = clock.get(); // n2 crashes: no frame, no ping answer from now on
        clock.addAndGet(DEAD_TIME + 10);
        assertThat(quorate(w)).as("n2's address silent for the silence window: n1 wins").isTrue();
        clock.addAndGet(INTERVAL);
        peerLastAnswer = clock.get(); // n2's machine powered on: addresses and cables back, its Vigil not started
        assertThat(quorate(w)).as("n2 lost its lease when it went silent, and cannot win before it hears n1").isTrue();
        clock.addAndGet(DEAD_TIME);
        peerLastAnswer = clock.get();
        assertThat(quorate(w)).isTrue();
        long firstHeard = clock.get();
        while (clock.get() - firstHeard < Lease.FREEZE_MILLIS - 3 * INTERVAL) { // its Vigil started: heard, no ack yet
            heardOnly(2);
            assertThat(quorate(w)).as("heard for %d ms without acknowledging yet", clock.get() - firstHeard).isTrue();
            clock.addAndGet(INTERVAL);
        }
        for (int i = 0; i < 3; i++) {
            heardOnly(2);
            clock.addAndGet(INTERVAL);
        }
        heardOnly(2);
        assertThat(quorate(w)).as("heard for the freeze bound less two intervals and never acknowledging: forgotten, "
                + "and n2's side wins the tie").isFalse();
        exchange(2); // now acknowledging
        assertThat(quorate(w)).isTrue();
        clock.addAndGet(DEAD_TIME + 10); // heartbeats cut now, n2's machine answering: n2, the winner, keeps its lease
        peerLastAnswer = clock.get();
        assertThat(quorate(w)).as("heard since: no longer cut off, n2's side wins the tie").isFalse();
    }

    @Test
    void losingQuorumForgetsWhoWasCutOff() {
        QuorumWatch w = watch("n2");
        w.setQuorum(pingQuorumOfTwo());
        exchange(1);
        assertThat(quorate(w)).isTrue();
        peerLastAnswer = clock.get();
        clock.addAndGet(DEAD_TIME + 10);
        assertThat(quorate(w)).isTrue();
        gatewayDown = true; // n1 reaches no target: it loses, and n2 may win by n1's silence meanwhile
        clock.addAndGet(DEAD_TIME);
        assertThat(quorate(w)).isFalse();
        gatewayDown = false;
        peerLastAnswer = clock.get();
        clock.addAndGet(INTERVAL);
        assertThat(quorate(w)).as("n2's address answers and n1 lost quorum in between: n2 may hold the groups")
                .isFalse();
    }

    private org.vigil.core.internal.membership.Quorum pingQuorumOfTwo() {
        org.vigil.core.internal.membership.Quorum q = new org.vigil.core.internal.membership.Quorum("n1");
        q.configure(new org.vigil.core.internal.membership.Quorum.Settings(Map.of("n1", 1, "n2", 1), "ping", 5_000));
        return q;
    }
}
