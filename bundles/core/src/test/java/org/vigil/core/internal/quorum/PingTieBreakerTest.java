package org.vigil.core.internal.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
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

    private final Set<String> answering = new LinkedHashSet<>();
    private final List<String> pinged = new ArrayList<>();

    private PingTieBreaker tb(Map<String, String> peers) {
        return new PingTieBreaker(List.of("203.0.113.1"), peers, "node1", (a, d) -> {
            pinged.add(a);
            return answering.contains(a);
        });
    }

    @Test
    void aSideThatReachesNoTargetLoses() {
        answering.add("198.51.100.2");
        assertThat(tb(Map.of("node2", "198.51.100.2")).wins("node1", Set.of("node1"), Set.of("node2"), OP)).isFalse();
    }

    @Test
    void aSideThatReachesTheTargetWhileTheLostPeersPublicAddressIsSilentWins() {
        answering.add("203.0.113.1");
        assertThat(tb(Map.of("node1", "198.51.100.1")).wins("node2", Set.of("node2"), Set.of("node1"), OP)).isTrue();
        assertThat(pinged).containsExactly("203.0.113.1", "198.51.100.1");
    }

    @Test
    void whenBothSidesMayReachTheTargetOnlyTheWinnersSideWins() {
        answering.addAll(List.of("203.0.113.1", "198.51.100.1", "198.51.100.2"));
        Map<String, String> peers = Map.of("node1", "198.51.100.1", "node2", "198.51.100.2");
        assertThat(tb(peers).wins("node1", Set.of("node1"), Set.of("node2"), OP)).isTrue();
        assertThat(tb(peers).wins("node2", Set.of("node2"), Set.of("node1"), OP)).isFalse();
    }

    @Test
    void withoutAPeerAddressTheOtherSideIsAssumedToReachTheTarget() {
        answering.add("203.0.113.1");
        assertThat(tb(Map.of()).wins("node2", Set.of("node2"), Set.of("node1"), OP)).isFalse();
        assertThat(tb(Map.of()).wins("node1", Set.of("node1"), Set.of("node2"), OP)).isTrue();
    }

    @Test
    void theSystemPingReachesLoopback() {
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/ping").canExecute()
                || new java.io.File("/bin/ping").canExecute() || "true".equals(System.getenv("CI")), "ping is not installed");
        assertThat(PingTieBreaker.ping("127.0.0.1", Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void badSettingsNameTheParameter() {
        Set<String> members = new LinkedHashSet<>(List.of("node1", "node2"));
        assertThatThrownBy(() -> PingTieBreaker.parse("", "", "", members)).hasMessageStartingWith("quorum.ping.targets:");
        assertThatThrownBy(() -> PingTieBreaker.parse("gateway.example", "", "", members)).hasMessageStartingWith("quorum.ping.targets:");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "node2:1.2.3.4", "", members)).hasMessageStartingWith("quorum.ping.peers:");
        assertThatThrownBy(() -> PingTieBreaker.parse("203.0.113.1", "", "node9", members)).hasMessageStartingWith("quorum.tiebreaker.winner:");
        assertThat(PingTieBreaker.parse("203.0.113.1, 2001:db8::1", "node2=198.51.100.2", "", members).describe())
                .contains("203.0.113.1, 2001:db8::1", "node2=198.51.100.2", "the side of node1 wins");
    }
}
