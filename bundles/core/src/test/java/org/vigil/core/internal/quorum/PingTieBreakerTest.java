package org.vigil.core.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.api.resource.OperationContext;

class PingTieBreakerTest {

    private static final OperationContext OP = new OperationContext() {
        @Override
        public Duration timeout() {
            return Duration.ofSeconds(3);
        }

        @Override
        public Duration remaining() {
            return Duration.ofSeconds(3);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };

    private final PingRuleTest.Seen seen = new PingRuleTest.Seen();
    private long now = 10_000;

    private PingTieBreaker tb(Map<String, String> peers) {
        return new PingTieBreaker(new PingTieBreaker.Settings(List.of("203.0.113.1"), peers, "node1", 50, 400), seen,
                () -> now);
    }

    @Test
    void aSideThatReachesNoTargetLoses() {
        seen.probed("203.0.113.1", 0, now).probed("198.51.100.2", 0, now).answered("198.51.100.2", now);
        assertThat(tb(Map.of("node2", "198.51.100.2")).wins("node1", Set.of("node1"), Set.of("node2"), OP)).isFalse();
    }

    @Test
    void aSideThatReachesTheTargetWhileTheLostPeersPublicAddressIsSilentWins() {
        seen.probed("203.0.113.1", 0, now).answered("203.0.113.1", now).probed("198.51.100.1", 0, now);
        assertThat(tb(Map.of("node1", "198.51.100.1")).wins("node2", Set.of("node2"), Set.of("node1"), OP)).isTrue();
    }

    @Test
    void whenBothSidesMayReachTheTargetOnlyTheWinnersSideWins() {
        for (String a : List.of("203.0.113.1", "198.51.100.1", "198.51.100.2")) {
            seen.probed(a, 0, now).answered(a, now);
        }
        Map<String, String> peers = Map.of("node1", "198.51.100.1", "node2", "198.51.100.2");
        assertThat(tb(peers).wins("node1", Set.of("node1"), Set.of("node2"), OP)).isTrue();
        assertThat(tb(peers).wins("node2", Set.of("node2"), Set.of("node1"), OP)).isFalse();
    }

    @Test
    void withoutAPeerAddressTheOtherSideIsAssumedToReachTheTarget() {
        seen.probed("203.0.113.1", 0, now).answered("203.0.113.1", now);
        assertThat(tb(Map.of()).wins("node2", Set.of("node2"), Set.of("node1"), OP)).isFalse();
        assertThat(tb(Map.of()).wins("node1", Set.of("node1"), Set.of("node2"), OP)).isTrue();
    }

    @Test
    void whileUndecidedItWaitsWithinTheBudgetAndThenLoses() {
        seen.probed("203.0.113.1", now - 10, now);
        OperationContext short300 = new OperationContext() {
            private final long end = System.nanoTime() + 300_000_000L;

            @Override
            public Duration timeout() {
                return Duration.ofMillis(300);
            }

            @Override
            public Duration remaining() {
                return Duration.ofNanos(end - System.nanoTime());
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
        long t0 = System.nanoTime();
        assertThat(tb(Map.of()).wins("node1", Set.of("node1"), Set.of("node2"), short300)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200))
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aSideWhoseTargetAnswerIsLateWaitsUpToASecondForAFreshOneAndALateAnswerWins() throws Exception {
        java.util.function.LongSupplier real = () -> System.nanoTime() / 1_000_000;
        long t = real.getAsLong();
        seen.probed("203.0.113.1", t - 10_000, t + 60_000).answered("203.0.113.1", t - 500); // its ping reports all along
        PingTieBreaker tb = new PingTieBreaker(new PingTieBreaker.Settings(List.of("203.0.113.1"), Map.of(), "node1", 50, 400),
                seen, real);
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            seen.answered("203.0.113.1", real.getAsLong());
        });
        late.start();
        assertThat(tb.wins("node1", Set.of("node1"), Set.of("node2"), OP)).isTrue();
        late.join();

        long t2 = real.getAsLong();
        seen.answered("203.0.113.1", t2 - 500);
        long t0 = System.nanoTime();
        assertThat(tb.wins("node1", Set.of("node1"), Set.of("node2"), OP)).as("no fresh answer within 1 s").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900))
                .isLessThan(Duration.ofMillis(2900));
    }

    @Test
    void theSystemPingReachesLoopback() {
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/ping").canExecute()
                || new java.io.File("/bin/ping").canExecute() || "true".equals(System.getenv("CI")), "ping is not installed");
        assertThat(PingTieBreaker.ping("127.0.0.1", Duration.ofSeconds(1))).isTrue();
        assertThat(PingTool.problem(List.of("ping"))).isNull();
    }

    @Test
    void aMissingOrNonExecutablePingIsAProblemNamingPingAndItsPackage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertThat(PingTool.problem(List.of("vigil-no-such-ping"))).startsWith("ping cannot be started (vigil-no-such-ping")
                .contains("install the package iputils-ping");
        java.nio.file.Path notExec = java.nio.file.Files.writeString(dir.resolve("ping"), "#!/bin/sh\nexit 0\n");
        assertThat(PingTool.problem(List.of(notExec.toString()))).contains("ping cannot be started", "iputils-ping");
        assertThat(PingTool.classify("ping", "ping: socket: Operation not permitted\n"))
                .contains("ping cannot run here", "CAP_NET_RAW", "iputils-ping");
        assertThat(PingTool.classify("ping", "ping: connect: Network is unreachable")).as("the network, not the tool")
                .isNull();
    }

    @Test
    void badSettingsNameTheParameter() {
        Set<String> members = new LinkedHashSet<>(List.of("node1", "node2"));
        assertThatThrownBy(() -> PingTieBreaker.parse("", "", "", members, 50, 400)).hasMessageStartingWith("quorum.ping.targets:");
        assertThatThrownBy(() -> PingTieBreaker.parse("gateway.example", "", "", members, 50, 400))
                .hasMessageStartingWith("quorum.ping.targets:");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "node2:1.2.3.4", "", members, 50, 400))
                .hasMessageStartingWith("quorum.ping.peers:");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "", "node9", members, 50, 400))
                .hasMessageStartingWith("quorum.tiebreaker.winner:");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "", "", members, 5, 400))
                .hasMessageStartingWith("quorum.ping.interval.ms: 5 must be from 10 to 1000").hasMessageContaining("CAP_NET_RAW");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "", "", members, 100, 600))
                .hasMessageStartingWith("quorum.ping.silence.ms: 600 must be from 5 probe periods plus 200 ms (700");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "", "", members, 50, 400))
                .hasMessageStartingWith("quorum.ping.silence.ms: 400 must be from 5 probe periods plus 200 ms (450");
        PingTieBreaker.Settings s = PingTieBreaker.parse("203.0.113.1, 2001:db8::1", "node2=198.51.100.2", "", members, 50, 450);
        assertThat(s.describe()).contains("203.0.113.1, 2001:db8::1", "node2=198.51.100.2", "the side of node1 wins",
                "every 50 ms", "silent for 450 ms");
        assertThat(s.addresses()).containsExactly("203.0.113.1", "2001:db8::1", "198.51.100.2");
    }
}
