package org.vigil.core.internal.publicnet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.vigil.core.internal.policy.PublicNetwork;
import org.vigil.core.internal.quorum.PingAnswers;
import org.vigil.core.internal.quorum.PingTieBreaker;

/**
 * The public network watch of this node: every {@code public.interval.ms} one check of the public side (every
 * {@code public.interfaces} has its link up, and one of {@code public.ping.targets} answers), debounced:
 * {@code public.lost.after} consecutive failed checks make the public network lost, {@code public.ok.after}
 * consecutive good ones make it OK again, so a single lost ping moves nothing (as keepalived's fall/rise and
 * Pacemaker's ping dampening). The verdict is one per node, not per group: the node reports it in its
 * heartbeats and the policy moves a group away from a node that lost it when another node has its own.
 *
 * <p>Not thread-safe by design: {@link #check()} runs on a worker thread (it may ping), {@link #observe} on the
 * engine thread only, and {@link #state()} is safe from any thread.
 */
public final class PublicNetworkWatch {

    /** Each target gets one ping of at most this long (the ping tie-breaker's probe, {@code ping -W 1}). */
    static final Duration PING_BUDGET = Duration.ofSeconds(1);

    /**
     * The settings of {@code etc/org.vigil.node.cfg}.
     *
     * @param interfaces   the public interfaces whose link must be up
     * @param targets      literal addresses of which one must answer a ping (empty: links only)
     * @param intervalMillis the time between the starts of two checks
     * @param lostAfter    consecutive failed checks that make the public network lost
     * @param okAfter      consecutive good checks that make it OK again
     */
    public record Settings(List<String> interfaces, List<String> targets, long intervalMillis, int lostAfter, int okAfter) {

        /** Canonical constructor; copies lists. */
        public Settings {
            interfaces = List.copyOf(interfaces);
            targets = List.copyOf(targets);
        }

        /** @return true when anything is watched */
        public boolean watched() {
            return !interfaces.isEmpty() || !targets.isEmpty();
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException naming the setting that is wrong
         */
        public static Settings parse(String interfaces, String targets, long intervalMillis, int lostAfter, int okAfter) {
            List<String> is = new ArrayList<>();
            for (String i : split(interfaces)) {
                if (!i.matches("[A-Za-z0-9_.:@-]{1,15}") || i.equals(".") || i.equals("..")) {
                    throw new IllegalArgumentException("public.interfaces: '" + i + "' is not an interface name (e.g. eth0)");
                }
                is.add(i);
            }
            List<String> ts = new ArrayList<>();
            for (String t : split(targets)) {
                ts.add(PingTieBreaker.literal("public.ping.targets", t));
            }
            if (intervalMillis < 100 || intervalMillis > 60_000) {
                throw new IllegalArgumentException("public.interval.ms: " + intervalMillis + " must be from 100 to 60000");
            }
            if (lostAfter < 1 || lostAfter > 100) {
                throw new IllegalArgumentException("public.lost.after: " + lostAfter + " must be from 1 to 100 checks");
            }
            if (okAfter < 1 || okAfter > 100) {
                throw new IllegalArgumentException("public.ok.after: " + okAfter + " must be from 1 to 100 checks");
            }
            return new Settings(is, ts, intervalMillis, lostAfter, okAfter);
        }

        private static List<String> split(String s) {
            List<String> out = new ArrayList<>();
            for (String x : (s == null ? "" : s).split("[,\\s]+")) {
                if (!x.isEmpty()) {
                    out.add(x);
                }
            }
            return out;
        }

        /** @return one line for the log and the status */
        public String describe() {
            return (interfaces.isEmpty() ? "" : "links " + String.join(", ", interfaces))
                    + (interfaces.isEmpty() || targets.isEmpty() ? "" : "; ")
                    + (targets.isEmpty() ? "" : "ping " + String.join(", ", targets)) + "; every " + intervalMillis
                    + " ms, lost after " + lostAfter + " failed checks, OK after " + okAfter;
        }
    }

    /** One check's result. @param ok true when the public side works @param detail what was found */
    public record Check(boolean ok, String detail) {
    }

    /** A change of the verdict. @param now the new verdict */
    public record Change(PublicNetwork now) {
    }

    private final Settings settings;
    private final Function<String, Links.Link> links;
    private final BiPredicate<String, Duration> ping;

    private volatile PublicNetwork state;
    private long lastStart = Long.MIN_VALUE;
    private int fails;
    private int oks;
    private long okSince = Long.MIN_VALUE;
    private String lastGood = "not checked yet";
    private String lostDetail = "";
    private long lostSince = Long.MIN_VALUE / 2;

    /**
     * @param settings what to watch
     * @param links    reads an interface's link state (in-process)
     * @param ping     probes an address within a budget (true when it answers)
     */
    public PublicNetworkWatch(Settings settings, Function<String, Links.Link> links, BiPredicate<String, Duration> ping) {
        this.settings = settings;
        this.links = links;
        this.ping = ping;
        this.state = new PublicNetwork(PublicNetwork.State.OK, "not checked yet");
    }

    /** @return a watch of this machine's interfaces with the system's ping, one fork per target and check */
    public static PublicNetworkWatch system(Settings settings) {
        Links l = Links.system();
        return new PublicNetworkWatch(settings, l::read, PingTieBreaker::ping);
    }

    /**
     * @param settings what to watch
     * @param prober   the node's continuous prober, which pings the targets all the time (no fork per check)
     * @param clock    the prober's clock (ms)
     * @return a watch of this machine's interfaces for which a target answers when it answered the prober within
     *         the ping budget (the last second), as one {@code ping -W 1} would have
     */
    public static PublicNetworkWatch system(Settings settings, PingAnswers prober, LongSupplier clock) {
        Links l = Links.system();
        return new PublicNetworkWatch(settings, l::read, answeredWithin(prober, clock));
    }

    /**
     * @param prober the continuous prober
     * @param clock  its clock (ms)
     * @return a probe without a fork: true when the address answered the prober within the budget; while the prober
     *         has probed it for less than the budget (just started or restarted) it waits, at most the budget
     */
    public static BiPredicate<String, Duration> answeredWithin(PingAnswers prober, LongSupplier clock) {
        return (a, budget) -> {
            long start = clock.getAsLong();
            long now = start;
            for (long waits = budget.toMillis() / 20; now - prober.lastAnswer(a) > budget.toMillis(); waits--) {
                if (now - prober.probingSince(a) >= budget.toMillis() || now - start >= budget.toMillis() || waits <= 0) {
                    return false;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                now = clock.getAsLong();
            }
            return true;
        };
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /** @return the current verdict */
    public PublicNetwork state() {
        return state;
    }

    /**
     * @param now this node's monotonic clock (ms)
     * @return true when a check should start now (the engine starts one only when none is under way); marks it started
     */
    public boolean startIfDue(long now) {
        if (lastStart != Long.MIN_VALUE && now - lastStart < settings.intervalMillis()) {
            return false;
        }
        lastStart = now;
        return true;
    }

    /**
     * One check; may block for a ping of each target (at most {@link #PING_BUDGET} each). The links are read
     * first; when one is down the targets are not pinged (they cannot answer through it).
     *
     * @return what was found
     */
    public Check check() {
        List<String> down = new ArrayList<>();
        for (String i : settings.interfaces()) {
            Links.Link l;
            try {
                l = links.apply(i);
            } catch (RuntimeException e) {
                l = new Links.Link(false, "unreadable: " + e.getMessage());
            }
            if (!l.up()) {
                down.add(i + ": " + l.detail());
            }
        }
        if (!down.isEmpty()) {
            return new Check(false, String.join("; ", down));
        }
        String links = settings.interfaces().isEmpty() ? "" : String.join(", ", settings.interfaces()) + " up";
        if (settings.targets().isEmpty()) {
            return new Check(true, links);
        }
        for (String t : settings.targets()) {
            boolean answered;
            try {
                answered = ping.test(t, PING_BUDGET);
            } catch (RuntimeException e) {
                answered = false;
            }
            if (answered) {
                return new Check(true, (links.isEmpty() ? "" : links + "; ") + t + " answers");
            }
        }
        return new Check(false, "no ping target answers (" + String.join(", ", settings.targets()) + ")"
                + (links.isEmpty() ? "" : "; " + links));
    }

    /**
     * Applies a check's result (engine thread).
     *
     * @param c   the result
     * @param now this node's monotonic clock (ms)
     * @return the change of verdict, or null when the verdict stays
     */
    public Change observe(Check c, long now) {
        PublicNetwork before = state;
        if (c.ok()) {
            oks++;
            fails = 0;
            if (before.lost() && oks < settings.okAfter()) {
                state = new PublicNetwork(PublicNetwork.State.LOST, lostDetail + " (good again for " + oks + " of "
                        + settings.okAfter() + " checks)", dampenMillis());
                return null;
            }
            lastGood = c.detail();
            state = new PublicNetwork(PublicNetwork.State.OK, c.detail());
            if (before.lost()) {
                okSince = now;
                return new Change(state);
            }
            return null;
        }
        fails++;
        oks = 0;
        if (before.lost() || fails >= settings.lostAfter()) {
            lostDetail = c.detail();
            if (!before.lost()) {
                lostSince = now;
            }
            state = new PublicNetwork(PublicNetwork.State.LOST, c.detail(), dampenMillis());
            return before.lost() ? null : new Change(state);
        }
        state = new PublicNetwork(PublicNetwork.State.OK, lastGood + " (" + fails + " of " + settings.lostAfter()
                + " checks failed: " + c.detail() + ")");
        return null;
    }

    /** @return when the public network was last found lost (this node's clock) */
    public long lostSince() {
        return lostSince;
    }

    /**
     * @return how long the others wait after this node's public network is seen lost before they move its groups:
     *         two check periods (a period: the interval, or the pings of a failing check if longer), so every node
     *         has checked its own public network by then
     */
    public long dampenMillis() {
        return 2 * Math.max(settings.intervalMillis(), settings.targets().size() * (PING_BUDGET.toMillis() + 100));
    }

    /** @return when the public network last came back (this node's clock), or Long.MIN_VALUE if it was never lost */
    public long okSince() {
        return okSince;
    }
}
