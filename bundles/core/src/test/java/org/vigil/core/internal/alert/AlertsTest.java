package org.vigil.core.internal.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.Severity;
import org.vigil.core.internal.engine.Alerts;

/** Each sink on its own lane: a hung sink delays neither the raiser nor the other sinks, and its losses are counted. */
class AlertsTest {

    private final Alerts alerts = new Alerts("node1");
    private final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void close() {
        never.countDown();
        alerts.close();
    }

    /** Records what it receives. */
    static final class Recorder implements AlertSink {
        final List<AlertEvent> got = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void deliver(AlertEvent event) {
            threads.add(Thread.currentThread().getName());
            got.add(event);
        }
    }

    /** Hangs like an SMTP server that accepts the connection and never answers; ignores interrupts like a socket read. */
    final class Hung implements AlertSink {
        volatile int entered;

        @Override
        public String name() {
            return "hung";
        }

        @Override
        public void deliver(AlertEvent event) {
            entered++;
            while (true) {
                try {
                    never.await();
                    return;
                } catch (InterruptedException e) {
                    // a blocking socket read does not see interrupts either
                }
            }
        }
    }

    @Test
    void aHungSinkNeitherBlocksTheRaiserNorTheOtherSinksAndItsLossesAreCounted() {
        Hung hung = new Hung();
        Recorder ok = new Recorder();
        alerts.addSink(hung, new AlertFilter(Severity.INFO, Set.of(), 1000, 5));
        alerts.addSink(ok, new AlertFilter(Severity.INFO, Set.of(), 10_000, 1000)); // room for the whole burst

        // The first event is under way on the hung sink before the burst, so what waits and what is dropped is exact.
        alerts.raise(Severity.CRITICAL, "node-lost", "node2", "node node2 is lost 0");
        await().atMost(Duration.ofSeconds(10)).until(() -> hung.entered == 1);
        long t0 = System.nanoTime();
        for (int i = 1; i < 200; i++) {
            alerts.raise(Severity.CRITICAL, "node-lost", "node2", "node node2 is lost " + i);
        }
        long took = (System.nanoTime() - t0) / 1_000_000;

        assertThat(took).as("ms to raise 199 events with a hung sink").isLessThan(2000);
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.got.size() == 200);
        assertThat(ok.threads).as("the healthy sink runs on its own thread, not the engine's workers")
                .allMatch(t -> t.equals("vigil-alert-recorder"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats("hung").timedOut() == 1);
        AlertLane.Stats h = stats("hung");
        assertThat(hung.entered).as("deliveries begun on the hung sink").isEqualTo(1);
        assertThat(h.delivered()).isZero();
        assertThat(h.waiting()).isEqualTo(5);
        assertThat(h.dropped()).as("events that found the hung sink's queue full").isEqualTo(200 - 1 - 5);
        assertThat(h.lastProblem()).contains("longer than 1 s");
        assertThat(stats("recorder").dropped()).isZero();
    }

    @Test
    void aSinkThatAnswersInterruptsIsFreedAfterTheTimeoutAndDeliversTheNextEvents() {
        List<AlertEvent> got = new CopyOnWriteArrayList<>();
        alerts.addSink(new AlertSink() {
            @Override
            public String name() {
                return "slow-once";
            }

            @Override
            public void deliver(AlertEvent event) throws InterruptedException {
                if (event.subject().equals("first")) {
                    Thread.sleep(60_000); // interrupted by the timeout
                }
                got.add(event);
            }
        }, new AlertFilter(Severity.INFO, Set.of(), 1000, 10));

        alerts.raise(Severity.WARNING, "path-down", "first", "x");
        alerts.raise(Severity.WARNING, "path-down", "second", "y");

        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
        assertThat(got.get(0).subject()).isEqualTo("second");
        AlertLane.Stats s = stats("slow-once");
        assertThat(s.timedOut()).isEqualTo(1);
        assertThat(s.failed()).as("the interrupted delivery is counted once, as timed out").isZero();
        assertThat(s.delivered()).isEqualTo(1);
    }

    @Test
    void filtersLetThroughOnlyTheSeverityAndKindsAsked() {
        Recorder r = new Recorder();
        alerts.addSink(r, AlertFilter.parse(Map.of("s", "warning", "k", "node-lost, group-failover"), "s", "k", "t", "q"));

        alerts.raise(Severity.INFO, "node-lost", "a", "info: below the least severity");
        alerts.raise(Severity.CRITICAL, "stop-failed", "b", "a kind not asked for");
        alerts.raise(Severity.WARNING, "node-lost", "c", "delivered");
        alerts.raise(Severity.CRITICAL, "group-failover", "d", "delivered");

        await().atMost(Duration.ofSeconds(5)).until(() -> r.got.size() == 2);
        assertThat(r.got).extracting(AlertEvent::subject).containsExactly("c", "d");
    }

    @Test
    void aFailingSinkIsCountedWithItsError() {
        alerts.addSink(new AlertSink() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void deliver(AlertEvent event) throws Exception {
                throw new java.io.IOException("connection refused by 192.0.2.25:25");
            }
        });
        alerts.raise(Severity.CRITICAL, "node-lost", "node2", "lost");
        await().atMost(Duration.ofSeconds(5)).until(() -> stats("broken").failed() == 1);
        assertThat(stats("broken").lastProblem()).contains("connection refused by 192.0.2.25:25");
    }

    @Test
    void badFilterValuesNameTheKey() {
        assertThatThrownBy(() -> AlertFilter.parse(Map.of("min-severity", "urgent"), "min-severity", "kinds", "timeout", "queue"))
                .hasMessageContaining("min-severity: 'urgent' is not a severity");
        assertThatThrownBy(() -> AlertFilter.parse(Map.of("timeout", "0"), "min-severity", "kinds", "timeout", "queue"))
                .hasMessageContaining("timeout: 0 must be from 1 to 300");
        assertThatThrownBy(() -> AlertFilter.parse(Map.of("queue", "many"), "min-severity", "kinds", "timeout", "queue"))
                .hasMessageContaining("queue: 'many' is not a whole number");
        assertThatThrownBy(() -> AlertFilter.parse(Map.of("kinds", "node-lost, Lost!"), "min-severity", "kinds", "timeout", "queue"))
                .hasMessageContaining("kinds: 'Lost!' is not an event kind");
    }

    private AlertLane.Stats stats(String name) {
        return alerts.sinkStats().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
