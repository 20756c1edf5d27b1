package org.vigil.core.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.Membership;

/**
 * The gone rule: a lost peer's Vigil process is gone when every network path to it that can tell has refused it
 * repeatedly since its last frame. Interval 100 ms, dead time 600 ms; paths udp-lan and tcp-priv can refuse,
 * serial cannot.
 */
class PeerRefusalsTest {

    private static final String LAN_B = "192.0.2.2:5405";
    private static final String PRIV_B = "198.51.100.2:5406";

    private final MembershipTracker m = new MembershipTracker(100, 600);
    private Set<String> canRefuse = Set.of("udp-lan", "tcp-priv");

    @BeforeEach
    void capability() {
        m.refusals().canRefuse(path -> canRefuse.contains(path));
    }

    /** A frame as the receiver hands it over: membership and the sender's endpoint on that path. */
    private void frame(long incarnation, String path, String endpoint, long now) {
        m.refusals().heard(path, endpoint, "node2");
        m.heard("node2", incarnation, path, now);
        m.evaluate(now);
    }

    private String gone(long now) {
        m.evaluate(now);
        return m.gone(m.peers(now).get("node2"));
    }

    /** Heard on both network paths until 1000, then silent: lost at 1600. */
    private void heardUntil1000() {
        for (long t = 0; t <= 1000; t += 100) {
            frame(1, "udp-lan", LAN_B, t);
            frame(1, "tcp-priv", PRIV_B, t);
        }
    }

    private void refusedOnBoth(long from, long to) {
        for (long t = from; t <= to; t += 100) {
            m.refusals().refused("udp-lan", LAN_B, t);
            m.refusals().refused("tcp-priv", PRIV_B, t);
        }
    }

    @Test
    void everyNetworkPathRefusedSinceTheLastFrameMakesALostPeerGone() {
        heardUntil1000();
        refusedOnBoth(1100, 1500);
        assertThat(gone(1500)).as("not lost yet: gone is a proof about a lost node only").isNull();
        assertThat(m.goneEvenIfUp(m.peers(1500).get("node2"))).as("the lease's quorum asks before the dead time")
                .isEqualTo("its Vigil process is gone: heartbeat ports refused on tcp-priv, udp-lan");
        assertThat(gone(1700)).isEqualTo("its Vigil process is gone: heartbeat ports refused on tcp-priv, udp-lan");
    }

    @Test
    void oneNetworkPathStillSilentButNotRefusingIsNoProof() {
        heardUntil1000();
        for (long t = 1100; t <= 1500; t += 100) {
            m.refusals().refused("udp-lan", LAN_B, t); // tcp-priv is cut: it answers nothing
        }
        assertThat(gone(1700)).isNull();
    }

    @Test
    void aSingleRefusalOrRefusalsWithinLessThanAnIntervalAreNoProof() {
        heardUntil1000();
        m.refusals().refused("udp-lan", LAN_B, 1100);
        m.refusals().refused("tcp-priv", PRIV_B, 1100);
        assertThat(gone(1700)).as("one refusal per path (a stray or forged packet)").isNull();
        m.refusals().refused("udp-lan", LAN_B, 1150);
        m.refusals().refused("tcp-priv", PRIV_B, 1150);
        assertThat(gone(1700)).as("two within 50 ms, less than an interval").isNull();
        m.refusals().refused("udp-lan", LAN_B, 1200);
        m.refusals().refused("tcp-priv", PRIV_B, 1200);
        assertThat(gone(1700)).isNotNull();
    }

    @Test
    void aRefusalBeforeTheLastFrameIsStale() {
        refusedOnBoth(0, 500); // refused while it was starting
        heardUntil1000();
        assertThat(gone(1700)).isNull();
    }

    @Test
    void aFrameOnAPathThatCannotRefuseClearsTheRefusals() {
        heardUntil1000();
        frame(1, "serial", "/dev/ttyS0", 1000);
        refusedOnBoth(1100, 1500);
        frame(1, "serial", "/dev/ttyS0", 1550); // the serial line still speaks: the process lives
        assertThat(gone(2200)).isNull();
        refusedOnBoth(2300, 2500);
        assertThat(gone(2500)).as("refused again since the serial frame; serial itself cannot refuse")
                .isEqualTo("its Vigil process is gone: heartbeat ports refused on tcp-priv, udp-lan");
    }

    @Test
    void aNewIncarnationClearsTheRefusalsOfTheOldOne() {
        heardUntil1000();
        refusedOnBoth(1100, 1500);
        assertThat(gone(1700)).isNotNull();
        frame(2, "udp-lan", LAN_B, 1800); // restarted: a new life, heard on one path
        assertThat(m.peers(1800).get("node2").incarnation()).isEqualTo(2);
        assertThat(gone(2500)).as("lost again, no refusal since the new incarnation").isNull();
        assertThat(m.peers(2500).get("node2").membership()).isEqualTo(Membership.LOST);
    }

    @Test
    void aRefusalCountsOnlyForTheNodeHeardFromThatEndpoint() {
        heardUntil1000();
        m.refusals().heard("udp-lan", "192.0.2.3:5405", "node3");
        assertThat(m.refusals().refused("udp-lan", "192.0.2.3:5405", 1100)).isEqualTo("node3");
        assertThat(m.refusals().refused("udp-lan", "192.0.2.9:5405", 1100)).as("nobody heard there").isNull();
        for (long t = 1100; t <= 1500; t += 100) {
            m.refusals().refused("udp-lan", "192.0.2.3:5405", t);
            m.refusals().refused("tcp-priv", "198.51.100.3:5406", t);
        }
        assertThat(gone(1700)).isNull();
    }

    @Test
    void aPeerHeardOnlyOnPathsThatCannotRefuseIsNeverGone() {
        canRefuse = Set.of();
        heardUntil1000();
        refusedOnBoth(1100, 1500);
        assertThat(gone(1700)).isNull();
    }

    @Test
    void aPathThatCannotRefuseNowDoesNotBlockTheProof() {
        canRefuse = Set.of("udp-lan"); // tcp-priv's transport closed here: it can tell nothing
        heardUntil1000();
        for (long t = 1100; t <= 1500; t += 100) {
            m.refusals().refused("udp-lan", LAN_B, t);
        }
        assertThat(gone(1700)).isEqualTo("its Vigil process is gone: heartbeat ports refused on udp-lan");
    }
}
