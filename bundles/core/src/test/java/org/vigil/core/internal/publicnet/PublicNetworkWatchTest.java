package org.vigil.core.internal.publicnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.core.internal.policy.PublicNetwork;

/**
 * The public network watch with fake inputs: links from a copy of the sysfs layout (real files, read by the
 * real reader), a ping answered by a set of addresses, and a clock the test moves.
 */
class PublicNetworkWatchTest {

    @TempDir
    Path sys;

    private final Set<String> answering = new HashSet<>();
    private final List<String> pinged = new ArrayList<>();
    private long now = 1_000;

    private PublicNetworkWatch watch(String interfaces, String targets, int lostAfter, int okAfter) {
        PublicNetworkWatch.Settings s = PublicNetworkWatch.Settings.parse(interfaces, targets, 1000, lostAfter, okAfter);
        Links links = new Links(sys);
        return new PublicNetworkWatch(s, links::read, (a, budget) -> {
            pinged.add(a + " within " + budget.toMillis() + " ms");
            return answering.contains(a);
        });
    }

    private void link(String name, String flags, String carrier, String operstate) throws IOException {
        Path d = sys.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("flags"), flags + "\n");
        if (carrier == null) {
            Files.deleteIfExists(d.resolve("carrier"));
        } else {
            Files.writeString(d.resolve("carrier"), carrier + "\n");
        }
        Files.writeString(d.resolve("operstate"), operstate + "\n");
    }

    /** One check at the next interval. @return the change, or null */
    private PublicNetworkWatch.Change round(PublicNetworkWatch w) {
        now += 1000;
        assertThat(w.startIfDue(now)).isTrue();
        return w.observe(w.check(), now);
    }

    @Test
    void aSingleLostPingMovesNothingThreeInARowMakeItLostAndTwoGoodOnesBringItBack() throws IOException {
        link("eth0", "0x1003", "1", "up");
        answering.add("198.51.100.1");
        PublicNetworkWatch w = watch("eth0", "198.51.100.1", 3, 2);
        assertThat(w.state()).isEqualTo(new PublicNetwork(PublicNetwork.State.OK, "not checked yet"));
        assertThat(round(w)).isNull();
        assertThat(w.state().detail()).isEqualTo("eth0 up; 198.51.100.1 answers");

        answering.clear();
        assertThat(round(w)).as("one lost ping").isNull();
        assertThat(w.state().lost()).isFalse();
        assertThat(w.state().detail()).isEqualTo("eth0 up; 198.51.100.1 answers (1 of 3 checks failed: no ping target "
                + "answers (198.51.100.1); eth0 up)");
        answering.add("198.51.100.1");
        assertThat(round(w)).as("an answer resets the count").isNull();
        answering.clear();
        assertThat(round(w)).isNull();
        assertThat(round(w)).isNull();
        assertThat(w.state().lost()).as("two failures after the reset").isFalse();
        PublicNetworkWatch.Change lost = round(w);
        assertThat(lost).as("the third failure in a row").isNotNull();
        assertThat(lost.now()).as("lost, with two check periods (1 s + a 1 s ping) of dampening").isEqualTo(
                new PublicNetwork(PublicNetwork.State.LOST, "no ping target answers (198.51.100.1); eth0 up", 2200));
        assertThat(w.lostSince()).isEqualTo(now);
        assertThat(round(w)).as("still lost: no new change").isNull();

        answering.add("198.51.100.1");
        assertThat(round(w)).as("one good check is not enough").isNull();
        assertThat(w.state().lost()).isTrue();
        assertThat(w.state().detail()).endsWith("(good again for 1 of 2 checks)");
        long backAt = now + 1000;
        PublicNetworkWatch.Change back = round(w);
        assertThat(back).isNotNull();
        assertThat(back.now()).isEqualTo(new PublicNetwork(PublicNetwork.State.OK, "eth0 up; 198.51.100.1 answers"));
        assertThat(w.okSince()).as("when it came back, on the watch's clock").isEqualTo(backAt);
        assertThat(pinged).allMatch(p -> p.endsWith("within 1000 ms"));
    }

    @Test
    void aLinkWithoutCarrierIsNamedAndTheTargetsAreNotPingedThroughIt() throws IOException {
        link("eth0", "0x1003", "0", "down");
        link("eth1", "0x1003", "1", "up");
        answering.add("198.51.100.1");
        PublicNetworkWatch w = watch("eth0, eth1", "198.51.100.1", 1, 1);
        PublicNetworkWatch.Change c = round(w);
        assertThat(c.now()).isEqualTo(new PublicNetwork(PublicNetwork.State.LOST, "eth0: no carrier", 2200));
        assertThat(pinged).isEmpty();
    }

    @Test
    void adminDownMissingAndLowerLayerDownLinksEachSayWhy() throws IOException {
        link("eth0", "0x1002", null, "down");
        link("eth1", "0x1003", "1", "lowerlayerdown");
        PublicNetworkWatch w = watch("eth0 eth1 eth9", "", 1, 1);
        assertThat(round(w).now().detail()).isEqualTo(
                "eth0: administratively down; eth1: operstate lowerlayerdown; eth9: no such interface");
    }

    @Test
    void linksOnlyAndPingOnlyWatchesWork() throws IOException {
        link("tun0", "0x1091", "1", "unknown"); // a driver without operational state, with a carrier
        PublicNetworkWatch links = watch("tun0", "", 1, 1);
        assertThat(round(links)).isNull();
        assertThat(links.state()).isEqualTo(new PublicNetwork(PublicNetwork.State.OK, "tun0 up"));

        answering.add("2001:db8::1");
        PublicNetworkWatch ping = watch("", "198.51.100.1, [2001:db8::1]", 1, 1);
        round(ping);
        assertThat(ping.state()).isEqualTo(new PublicNetwork(PublicNetwork.State.OK, "2001:db8::1 answers"));
        assertThat(pinged).containsExactly("198.51.100.1 within 1000 ms", "2001:db8::1 within 1000 ms");
    }

    @Test
    void aCheckStartsOncePerIntervalOnTheWatchesClock() {
        PublicNetworkWatch w = watch("", "198.51.100.1", 1, 1);
        assertThat(w.startIfDue(5_000)).isTrue();
        assertThat(w.startIfDue(5_999)).isFalse();
        assertThat(w.startIfDue(6_000)).isTrue();
    }

    @Test
    void aThrowingPingOrLinkReaderCountsAsAFailedCheck() {
        PublicNetworkWatch.Settings s = PublicNetworkWatch.Settings.parse("eth0", "198.51.100.1", 1000, 1, 1);
        PublicNetworkWatch links = new PublicNetworkWatch(s, n -> {
            throw new IllegalStateException("boom");
        }, (a, b) -> true);
        assertThat(links.check()).isEqualTo(new PublicNetworkWatch.Check(false, "eth0: unreadable: boom"));
        PublicNetworkWatch ping = new PublicNetworkWatch(PublicNetworkWatch.Settings.parse("", "198.51.100.1", 1000, 1, 1),
                n -> new Links.Link(true, "up"), (a, b) -> {
                    throw new IllegalStateException("no ping");
                });
        assertThat(ping.check().ok()).isFalse();
    }

    @Test
    void settingsErrorsNameTheSetting() {
        assertThatThrownBy(() -> PublicNetworkWatch.Settings.parse("eth0/1", "", 1000, 3, 2))
                .hasMessage("public.interfaces: 'eth0/1' is not an interface name (e.g. eth0)");
        assertThatThrownBy(() -> PublicNetworkWatch.Settings.parse("..", "", 1000, 3, 2)).hasMessageStartingWith("public.interfaces: ");
        assertThatThrownBy(() -> PublicNetworkWatch.Settings.parse("eth0", "gateway.example.com", 1000, 3, 2))
                .hasMessage("public.ping.targets: 'gateway.example.com' is not a literal IP address");
        assertThatThrownBy(() -> PublicNetworkWatch.Settings.parse("eth0", "", 50, 3, 2))
                .hasMessage("public.interval.ms: 50 must be from 100 to 60000");
        assertThatThrownBy(() -> PublicNetworkWatch.Settings.parse("eth0", "", 1000, 0, 2))
                .hasMessage("public.lost.after: 0 must be from 1 to 100 checks");
        assertThatThrownBy(() -> PublicNetworkWatch.Settings.parse("eth0", "", 1000, 3, 101))
                .hasMessage("public.ok.after: 101 must be from 1 to 100 checks");
        PublicNetworkWatch.Settings none = PublicNetworkWatch.Settings.parse(" ", "", 1000, 3, 2);
        assertThat(none.watched()).isFalse();
        PublicNetworkWatch.Settings both = PublicNetworkWatch.Settings.parse("eth0,eth1", "198.51.100.1 198.51.100.2", 1000, 3, 2);
        assertThat(both.describe()).isEqualTo("links eth0, eth1; ping 198.51.100.1, 198.51.100.2; every 1000 ms, lost after 3 "
                + "failed checks, OK after 2");
    }

    @Test
    void theRealSysfsShowsLoopbackUp() {
        Links.Link lo = Links.system().read("lo");
        assertThat(lo.up()).as("lo: %s", lo.detail()).isTrue();
        assertThat(Links.system().read("vigil-no-such-if").detail()).isEqualTo("no such interface");
    }

    @Test
    void theRealPingAnswersOnLoopback() {
        // the ping tie-breaker's probe, reused: loopback answers wherever ping is installed
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/ping").canExecute()
                || new java.io.File("/bin/ping").canExecute() || "true".equalsIgnoreCase(System.getenv("CI")),
                "ping (iputils-ping) is not installed");
        PublicNetworkWatch w = PublicNetworkWatch.system(PublicNetworkWatch.Settings.parse("lo", "127.0.0.1", 1000, 1, 1));
        assertThat(w.check()).isEqualTo(new PublicNetworkWatch.Check(true, "lo up; 127.0.0.1 answers"));
        assertThat(PublicNetworkWatch.PING_BUDGET).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void withTheContinuousProberACheckForksNothingAndSeesTheTargetsAnswers() {
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/ping").canExecute()
                || new java.io.File("/bin/ping").canExecute() || "true".equalsIgnoreCase(System.getenv("CI")),
                "ping (iputils-ping) is not installed");
        java.util.function.LongSupplier clock = () -> System.nanoTime() / 1_000_000;
        try (org.vigil.core.internal.quorum.PingProber prober = new org.vigil.core.internal.quorum.PingProber(
                List.of("ping"), clock)) {
            prober.configure(Set.of("127.0.0.1"), 50);
            PublicNetworkWatch w = PublicNetworkWatch.system(PublicNetworkWatch.Settings.parse("lo", "127.0.0.1", 1000, 1, 1),
                    prober, clock);
            // the first check right after the prober started waits (within the 1 s budget) for its first answer
            assertThat(w.check()).isEqualTo(new PublicNetworkWatch.Check(true, "lo up; 127.0.0.1 answers"));
            long pid = prober.pids().get("127.0.0.1");
            assertThat(w.check().ok()).isTrue();
            assertThat(prober.pids()).containsEntry("127.0.0.1", pid); // the same ping all along: no fork per check
        }
    }

    @Test
    void aTargetTheProberHasWatchedForTheBudgetWithoutAnAnswerFailsAtOnce() {
        org.vigil.core.internal.quorum.PingAnswers silent = new org.vigil.core.internal.quorum.PingAnswers() {
            @Override
            public long lastAnswer(String address) {
                return address.equals("198.51.100.1") ? 500 : NEVER;
            }

            @Override
            public long probingSince(String address) {
                return 0;
            }

            @Override
            public long lastReport(String address) {
                return now;
            }
        };
        var probe = PublicNetworkWatch.answeredWithin(silent, () -> now);
        assertThat(probe.test("198.51.100.1", Duration.ofSeconds(1))).as("answered 500 ms ago").isTrue();
        now = 2_000;
        long t0 = System.nanoTime();
        assertThat(probe.test("198.51.100.1", Duration.ofSeconds(1))).as("silent for 1.5 s").isFalse();
        assertThat(probe.test("198.51.100.9", Duration.ofSeconds(1))).as("never answered").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
    }
}
