package org.vigil.tck.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each fault of the in-memory medium does what it says, and the same seed gives the same faults. */
class InMemoryMediumFaultsTest {

    private final List<Endpoint> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Endpoint::close);
    }

    private Endpoint[] pair(InMemoryMedium medium) throws Exception {
        Endpoint a = Endpoint.open(medium.factory(), "p", "a", Map.of("address", "a", "peers", "b"));
        Endpoint b = Endpoint.open(medium.factory(), "p", "b", Map.of("address", "b", "peers", "a"));
        open.add(a);
        open.add(b);
        return new Endpoint[] {a, b};
    }

    private static List<Integer> numbers(Endpoint e) {
        return e.context.texts().stream().map(Integer::parseInt).toList();
    }

    private static void sendNumbers(Endpoint from, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            from.send(Integer.toString(i).getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static void settle(InMemoryMedium m, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (m.delivered.get() + m.dropped.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(250); // held frames go after at most 100 ms
    }

    @Test
    void dropsAboutTheGivenShareAndNothingElse() throws Exception {
        InMemoryMedium m = new InMemoryMedium(1).dropRate(0.3);
        Endpoint[] e = pair(m);
        sendNumbers(e[0], 1000);
        settle(m, 1000);
        List<Integer> got = numbers(e[1]);
        assertThat(m.dropped.get()).isBetween(240L, 360L);
        assertThat(got).hasSize(1000 - (int) m.dropped.get()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void duplicatesArriveTwice() throws Exception {
        InMemoryMedium m = new InMemoryMedium(2).duplicateRate(0.2);
        Endpoint[] e = pair(m);
        sendNumbers(e[0], 500);
        settle(m, 500);
        List<Integer> got = numbers(e[1]);
        assertThat(m.duplicated.get()).isBetween(60L, 140L);
        assertThat(got).hasSize(500 + (int) m.duplicated.get());
        assertThat(new HashSet<>(got)).hasSize(500);
    }

    @Test
    void reorderingLetsALaterFrameOvertake() throws Exception {
        InMemoryMedium m = new InMemoryMedium(3).reorderRate(0.2);
        Endpoint[] e = pair(m);
        sendNumbers(e[0], 500);
        settle(m, 500);
        List<Integer> got = numbers(e[1]);
        assertThat(got).hasSize(500).doesNotHaveDuplicates();
        assertThat(got).isNotEqualTo(got.stream().sorted().toList());
        assertThat(m.reordered.get()).isGreaterThan(40);
    }

    @Test
    void delayHoldsFramesBackAndJitterReorders() throws Exception {
        InMemoryMedium m = new InMemoryMedium(4).delay(50, 150);
        Endpoint[] e = pair(m);
        long start = System.nanoTime();
        e[0].send("0".getBytes(StandardCharsets.ISO_8859_1));
        while (e[1].context.frames.isEmpty()) {
            Thread.sleep(1);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(49);
        for (int i = 1; i < 100; i++) {
            e[0].send(Integer.toString(i).getBytes(StandardCharsets.ISO_8859_1));
        }
        settle(m, 100);
        List<Integer> got = numbers(e[1]);
        assertThat(got).hasSize(100);
        assertThat(got).isNotEqualTo(got.stream().sorted().toList());
    }

    @Test
    void aCutLinkCarriesNothingUntilRestored() throws Exception {
        InMemoryMedium m = new InMemoryMedium(5);
        Endpoint[] e = pair(m);
        m.cut("a", "b");
        sendNumbers(e[0], 10);
        Thread.sleep(200);
        assertThat(e[1].context.frames).isEmpty();
        m.restore("a", "b");
        sendNumbers(e[0], 3);
        settle(m, 13);
        assertThat(numbers(e[1])).containsExactly(0, 1, 2);
    }

    @Test
    void theSameSeedGivesTheSameFaults() throws Exception {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            InMemoryMedium m = new InMemoryMedium(77).dropRate(0.2).duplicateRate(0.1);
            Endpoint[] e = pair(m);
            sendNumbers(e[0], 300);
            settle(m, 300);
            runs.add(numbers(e[1]));
            e[0].close();
            e[1].close();
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1));
        Set<Integer> distinct = new HashSet<>(runs.get(0));
        assertThat(distinct.size()).isLessThan(300);
    }
}
