package org.vigil.core.internal.quorum;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationContext;
import org.vigil.core.internal.exec.CommandRunner;
import org.vigil.core.internal.membership.Lease;
import org.vigil.core.internal.model.Names;

/**
 * The ping-target tie-breaker ({@code quorum.tiebreaker = ping}), built into the core.
 *
 * <p>A side that cannot reach any of {@code quorum.ping.targets} (for example the default gateway of the
 * public network) loses: its public side is cut, so the clients cannot reach it either. A side that can
 * reach one wins if the public address of every lost member ({@code quorum.ping.peers}) is silent: the
 * other side is dead or cut off from the public network, and then fails its own target check. If a lost
 * member's public address answers (or none is configured for it), both sides may reach the target (only
 * the heartbeat paths are cut, or the other node's Vigil is paused or dead while its machine still answers):
 * then a fixed rule makes exactly one side win, the side holding {@code quorum.tiebreaker.winner} (by
 * default the first member named in {@code cluster.nodes}).
 *
 * <p>Nothing is probed when a tie must be broken: a {@link PingProber} pings every target and peer address all
 * the time ({@code quorum.ping.interval.ms}) and {@link PingRule} answers from what it saw, at once. Only right
 * after a start (no window of data yet) does {@link #wins} wait, within the operation's budget.
 */
public final class PingTieBreaker implements TieBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(PingTieBreaker.class);

    /** How long a side that reached no target recently waits for a fresh answer before it loses. */
    public static final long REACH_GRACE_MILLIS = 1_000;
    /** The default probe period ({@code quorum.ping.interval.ms}). */
    public static final long DEFAULT_INTERVAL_MILLIS = 50;
    /** The default silence that proves a lost member's address dead ({@code quorum.ping.silence.ms}). */
    public static final long DEFAULT_SILENCE_MILLIS = 500;

    /**
     * The settings of the ping tie-breaker.
     *
     * @param targets        the ping targets (literal addresses)
     * @param peers          each member's public address, by node name
     * @param winner         the member whose side wins when both sides may reach the targets
     * @param intervalMillis the probe period
     * @param silenceMillis  how long a lost member's address must stay unanswered to count as silent
     */
    public record Settings(List<String> targets, Map<String, String> peers, String winner, long intervalMillis,
            long silenceMillis) {

        /** Canonical constructor; copies. */
        public Settings {
            targets = List.copyOf(targets);
            peers = Map.copyOf(peers);
        }

        /** @return every address the prober must ping: the targets and the peers' public addresses */
        public Set<String> addresses() {
            Set<String> a = new java.util.LinkedHashSet<>(targets);
            a.addAll(peers.values());
            return a;
        }

        /** @return the rule these settings make */
        public PingRule rule() {
            return new PingRule(targets, peers, winner, intervalMillis, silenceMillis);
        }

        /** @return a one-line account of the settings, for the status */
        public String describe() {
            return "ping targets " + String.join(", ", targets) + (peers.isEmpty() ? "" : "; peers " + new java.util.TreeMap<>(peers))
                    + "; if both sides may reach the targets, the side of " + winner + " wins; probed every "
                    + intervalMillis + " ms, a peer silent for " + silenceMillis + " ms counts as gone";
        }
    }

    private final Settings settings;
    private final PingRule rule;
    private final PingAnswers answers;
    private final LongSupplier clock;

    /**
     * @param settings the settings
     * @param answers  what the continuous prober saw
     * @param clock    this node's monotonic clock (ms), the prober's
     */
    public PingTieBreaker(Settings settings, PingAnswers answers, LongSupplier clock) {
        this.settings = settings;
        this.rule = settings.rule();
        this.answers = answers;
        this.clock = clock;
    }

    /**
     * @param targets  {@code quorum.ping.targets}: literal addresses, comma-separated
     * @param peers    {@code quorum.ping.peers}: {@code node=address}, comma-separated
     * @param winner   {@code quorum.tiebreaker.winner}, or "" for the first member
     * @param members  the members in the order of {@code cluster.nodes}
     * @param interval {@code quorum.ping.interval.ms}
     * @param silence  {@code quorum.ping.silence.ms}
     * @return the settings
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    public static Settings parse(String targets, String peers, String winner, Set<String> members, long interval,
            long silence) {
        List<String> ts = new ArrayList<>();
        for (String t : (targets == null ? "" : targets).split("[,\\s]+")) {
            if (!t.isEmpty()) {
                ts.add(literal("quorum.ping.targets", t));
            }
        }
        if (ts.isEmpty()) {
            throw new IllegalArgumentException("quorum.ping.targets: required with quorum.tiebreaker = ping "
                    + "(literal addresses on the public network, for example its gateway)");
        }
        Map<String, String> ps = new LinkedHashMap<>();
        for (String p : (peers == null ? "" : peers).split("[,\\s]+")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0 || !Names.isValid(p.substring(0, eq))) {
                throw new IllegalArgumentException("quorum.ping.peers: '" + p + "' is not node=address");
            }
            ps.put(p.substring(0, eq), literal("quorum.ping.peers", p.substring(eq + 1)));
        }
        String w = winner == null || winner.isBlank() ? members.stream().findFirst().orElse("") : winner.trim();
        if (!members.isEmpty() && !members.contains(w)) {
            throw new IllegalArgumentException("quorum.tiebreaker.winner: " + w + " is not named in cluster.nodes");
        }
        checkInterval(interval);
        if (silence < minSilence(interval) || silence > 60_000) {
            throw new IllegalArgumentException("quorum.ping.silence.ms: " + silence + " must be from 5 probe periods "
                    + "plus 200 ms (" + minSilence(interval) + " with quorum.ping.interval.ms = " + interval
                    + ": a lost member that still reached a target a reach window ago has stopped by then) to 60000");
        }
        return new Settings(ts, ps, w, interval, silence);
    }

    /**
     * The shortest silence that proves a lost member gone: a member whose lease rests on the tie-breaker loses it when
     * no target answered for the reach window (4 periods), and stops within the lease's fast stop; its address
     * answered one period before its last target answer at worst. 5 periods + 200 ms covers that with two engine
     * ticks of margin.
     *
     * @param interval {@code quorum.ping.interval.ms}
     * @return the least {@code quorum.ping.silence.ms}
     */
    public static long minSilence(long interval) {
        return 5 * interval + Lease.STOP_MILLIS + 50;
    }

    /**
     * @param interval {@code quorum.ping.interval.ms}
     * @throws IllegalArgumentException naming the setting when it is out of range
     */
    public static void checkInterval(long interval) {
        if (interval < 10 || interval > 1000) {
            throw new IllegalArgumentException("quorum.ping.interval.ms: " + interval + " must be from 10 to 1000 (the "
                    + "period of ping -i; iputils-ping 20221126 of Debian 12 lets any user ping every 2 ms or more, "
                    + "older iputils need root or CAP_NET_RAW below 200 ms)");
        }
    }

    /**
     * @param key the setting, named in the error
     * @param a   the text
     * @return the literal address, without brackets
     * @throws IllegalArgumentException naming the setting when it is not a literal IP address
     */
    public static String literal(String key, String a) {
        if (!a.matches("[0-9.]+|\\[?[0-9A-Fa-f:.]+\\]?")) {
            throw new IllegalArgumentException(key + ": '" + a + "' is not a literal IP address");
        }
        return a.replace("[", "").replace("]", "");
    }

    /**
     * Pings once with the system's ping (raw sockets need privileges; ping has them): {@code ping -c 1 -W s -n},
     * s = the budget in whole seconds, 1 to 2. Also the public network watch's probe.
     *
     * @param address a literal address
     * @param budget  the time it may take
     * @return true when it answered
     */
    public static boolean ping(String address, Duration budget) {
        long secs = Math.max(1, Math.min(2, budget.toSeconds()));
        boolean v6 = address.contains(":");
        return CommandRunner.run(List.of("ping", v6 ? "-6" : "-4", "-c", "1", "-W", Long.toString(secs), "-n", address),
                Duration.ofSeconds(secs + 1)).succeeded();
    }

    @Override
    public String type() {
        return "ping";
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /** @return a one-line account of the settings, for the status */
    public String describe() {
        return settings.describe();
    }

    /**
     * @param side   this node's side
     * @param lost   the members not on it
     * @param memory what this node remembers since it last lost quorum (wait for all, members cut off)
     * @return the verdict of this instant, from the prober's state (undecided counts as a loss)
     */
    public PingRule.Outcome decideNow(Set<String> side, Set<String> lost, PingRule.Memory memory) {
        return rule.decide(side, lost, answers, clock.getAsLong(), memory);
    }

    /**
     * @param node a member
     * @return true when its public address ({@code quorum.ping.peers}) has been silent for {@code quorum.ping.silence.ms}
     *         while probed without a break (as the rule reads silence): its machine is down or off the public network;
     *         false when it answered since, or is not known
     */
    public boolean addressSilent(String node) {
        String a = settings.peers().get(node);
        if (a == null) {
            return false;
        }
        long now = clock.getAsLong();
        long silence = settings.silenceMillis();
        return now - answers.lastAnswer(a) >= silence && now - answers.probingSince(a) >= silence
                && now - answers.lastReport(a) <= rule.reachWindow();
    }

    /**
     * Answers from the prober's state at once. Waits, probe period by period and within the budget, only while it is
     * undecided, or for at most {@link #REACH_GRACE_MILLIS} while no target answered recently (a late reply on a
     * loaded machine must not make a healthy side lose and stop everything; a side that is really cut off loses a
     * second later, as with the one {@code ping -W 1} of before).
     */
    @Override
    public boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op) {
        long asked = clock.getAsLong();
        PingRule.Outcome o = rule.decide(side, lost, answers, asked);
        // bounded in count as well as in time: at most the operation's timeout in probe periods
        long rounds = Math.max(1, op.timeout().toMillis() / settings.intervalMillis());
        long graceRounds = REACH_GRACE_MILLIS / settings.intervalMillis();
        for (long round = 0; round < rounds && (o.verdict() == PingRule.Verdict.UNDECIDED
                || o.verdict() == PingRule.Verdict.PENDING
                || o.unreached() && round < graceRounds && clock.getAsLong() - asked < REACH_GRACE_MILLIS)
                && !op.isCancelled() && op.remaining().toMillis() > settings.intervalMillis(); round++) {
            try {
                Thread.sleep(settings.intervalMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            o = rule.decide(side, lost, answers, clock.getAsLong());
        }
        LOG.info("ping tie-breaker: this side {} ({})", o.verdict() == PingRule.Verdict.WIN ? "wins" : "loses",
                o.verdict() == PingRule.Verdict.UNDECIDED ? "undecided within the budget: " + o.detail() : o.detail());
        return o.verdict() == PingRule.Verdict.WIN;
    }
}
