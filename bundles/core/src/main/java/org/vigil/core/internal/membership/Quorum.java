package org.vigil.core.internal.membership;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.vigil.core.internal.model.Names;
import org.vigil.core.internal.model.Sorted;
import org.vigil.core.internal.policy.QuorumView;

/**
 * This node's quorum and its self-fencing triggers, as a pure state machine: no I/O, no threads, the
 * clock passed into every call (so a simulation can drive it). The engine calls {@link #tick} and
 * {@link #evaluate} once per engine tick, asks the tie-breaker when {@link #wantsTieBreak} says so and
 * hands the answer back with {@link #tieAnswer}.
 *
 * <p>Rules. The members and their votes are {@code cluster.nodes} (every node named there counts toward
 * the total, also one never heard, so both halves of a split count the same total). A side has quorum
 * with a strict majority of the votes of every member not known down (fenced, confirmed down by the
 * admin, or left cleanly). Exactly half: the tie-breaker decides, but only once every member has been
 * seen since this node started (so a node that boots alone in a split cannot win a tie the other half
 * also wins; the admin runs {@code vigil:fence-confirm} for a member that is down for good); while its
 * first answer is awaited the previous state stands for at most {@link #TIE_WAIT_MILLIS}. Without a
 * tie-breaker, half is not quorum but the side may still fence (fencing then breaks the tie).
 *
 * <p>Freeze rule: when two ticks are further apart than the dead time, this node was paused (SIGSTOP, a
 * VM pause, a long GC) and the others may have taken its groups over: it has no quorum until it has been
 * awake for the settle time again (the dead time plus two heartbeat intervals, enough to hear every live
 * member), whatever the votes say. This holds also when quorum is not configured.
 */
public final class Quorum {

    /** How long the previous state stands while the tie-breaker's first answer is awaited. */
    public static final long TIE_WAIT_MILLIS = 2_000;
    /** How often the tie-breaker is asked again while the tie lasts. */
    public static final long TIE_RECHECK_MILLIS = 2_000;

    /**
     * The admin's quorum settings.
     *
     * @param votes          every member's votes, by name; empty when quorum is not configured
     * @param tieBreaker     the tie-breaker's type, or "" for none
     * @param lossStopMillis the self-fencing bound: a node without quorum stops everything within this time
     * @param freezeMillis   the freeze bound ({@code quorum.freeze.ms}): with the lease, how long a lost peer whose
     *                       machine still answers ping is waited for at least (see {@link Lease#FREEZE_MILLIS})
     */
    public record Settings(Map<String, Integer> votes, String tieBreaker, long lossStopMillis, long freezeMillis) {

        /** Quorum not configured. */
        public static final Settings NONE = new Settings(Map.of(), "", 5_000);

        /** Settings with the default freeze bound. */
        public Settings(Map<String, Integer> votes, String tieBreaker, long lossStopMillis) {
            this(votes, tieBreaker, lossStopMillis, Lease.FREEZE_MILLIS);
        }

        /**
         * @param millis {@code quorum.freeze.ms}
         * @return these settings with that freeze bound
         * @throws IllegalArgumentException naming the parameter when it is out of range
         */
        public Settings withFreezeMillis(long millis) {
            if (millis < 0 || millis > 600_000) {
                throw new IllegalArgumentException("quorum.freeze.ms: " + millis + " must be from 0 to 600000");
            }
            return new Settings(votes, tieBreaker, lossStopMillis, millis);
        }

        /** Canonical constructor; copies the map, keeps its order. */
        public Settings {
            votes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(votes));
            tieBreaker = tieBreaker == null ? "" : tieBreaker.trim();
        }

        /** @return true when the members are configured */
        public boolean configured() {
            return !votes.isEmpty();
        }

        /**
         * @param clusterNodes   {@code cluster.nodes}: names, comma- or space-separated, each with optional
         *                       {@code :votes} (default 1, 0 for a member without a vote)
         * @param tieBreaker     {@code quorum.tiebreaker}: none, ping, or a registered tie-breaker's type
         * @param lossStopMillis {@code quorum.loss.stop.ms}
         * @return the settings
         * @throws IllegalArgumentException naming the parameter that is wrong
         */
        public static Settings parse(String clusterNodes, String tieBreaker, long lossStopMillis) {
            Map<String, Integer> votes = new LinkedHashMap<>();
            for (String item : (clusterNodes == null ? "" : clusterNodes).split("[,\\s]+")) {
                if (item.isEmpty()) {
                    continue;
                }
                int colon = item.indexOf(':');
                String name = colon < 0 ? item : item.substring(0, colon);
                int v = 1;
                if (colon >= 0) {
                    try {
                        v = Integer.parseInt(item.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        v = -1;
                    }
                    if (v < 0 || v > 1000) {
                        throw new IllegalArgumentException("cluster.nodes: '" + item + "': votes must be a number from 0 to 1000");
                    }
                }
                if (!Names.isValid(name)) {
                    throw new IllegalArgumentException("cluster.nodes: '" + name + "' is not a valid node name");
                }
                if (votes.put(name, v) != null) {
                    throw new IllegalArgumentException("cluster.nodes: " + name + " is named twice");
                }
            }
            String tb = tieBreaker == null ? "" : tieBreaker.trim();
            if (tb.equals("none")) {
                tb = "";
            }
            if (!tb.isEmpty() && !tb.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("quorum.tiebreaker: '" + tb + "' is not a tie-breaker type (none, ping, disk, ...)");
            }
            if (lossStopMillis < 100 || lossStopMillis > 600_000) {
                throw new IllegalArgumentException("quorum.loss.stop.ms: " + lossStopMillis + " must be from 100 to 600000");
            }
            if (!votes.isEmpty() && votes.values().stream().mapToInt(Integer::intValue).sum() == 0) {
                throw new IllegalArgumentException("cluster.nodes: no member has a vote");
            }
            return new Settings(votes, tb, lossStopMillis);
        }
    }

    private final String self;
    private Settings settings = Settings.NONE;

    private final Set<String> seen = new TreeSet<>();
    private boolean lastHas = true;
    private long tieSince = -1;
    private Boolean verdict;
    private long verdictAt;
    private long lastTick = Long.MIN_VALUE;
    private long rejoinAt = Long.MIN_VALUE;
    private long pausedFor;
    private Set<String> side = Set.of();
    private Set<String> lost = Set.of();

    /** @param self this node's name */
    public Quorum(String self) {
        this.self = self;
        seen.add(self);
    }

    /** @param s new settings; they apply at the next {@link #evaluate} */
    public synchronized void configure(Settings s) {
        if (!s.equals(settings)) {
            settings = s;
            verdict = null;
            tieSince = -1;
        }
    }

    /** @return the current settings */
    public synchronized Settings settings() {
        return settings;
    }

    /**
     * Records an engine tick and detects a pause.
     *
     * @param now          the monotonic time (ms)
     * @param deadMillis   the dead time
     * @param settleMillis how long to stay without quorum after a pause (the start-up settle time)
     * @return how long this node was paused, when that was longer than the dead time; else 0
     */
    public synchronized long tick(long now, long deadMillis, long settleMillis) {
        return tick(now, deadMillis, settleMillis, true);
    }

    /**
     * As {@link #tick(long, long, long)}; a pause counts only when another node could have taken over.
     *
     * @param now          the monotonic time (ms)
     * @param deadMillis   the dead time
     * @param settleMillis how long to stay without quorum after a pause
     * @param othersKnown  false when nobody can have taken this node's groups over during the gap (no other member
     *                     is configured and no peer was ever heard, or this node's heartbeats kept going out, so
     *                     only its engine thread stalled): then a long gap changes nothing
     * @return how long this node was paused, when that was longer than the dead time and it counts; else 0
     */
    public synchronized long tick(long now, long deadMillis, long settleMillis, boolean othersKnown) {
        long gap = lastTick == Long.MIN_VALUE ? 0 : now - lastTick;
        lastTick = now;
        if (gap > deadMillis && othersKnown) {
            pausedFor = gap;
            rejoinAt = now + settleMillis;
            return gap;
        }
        return 0;
    }

    /** @param now the monotonic time @return true while this node is rejoining after a pause */
    public synchronized boolean rejoining(long now) {
        return now < rejoinAt;
    }

    /**
     * Computes this node's quorum.
     *
     * @param now       the monotonic time (ms)
     * @param side      the nodes on this node's side: itself and every peer that is up and still hears it
     * @param knownDown the peers known down by a proof (fenced, confirmed, left cleanly): their votes leave the total
     * @return the quorum
     */
    public synchronized QuorumView evaluate(long now, Set<String> side, Set<String> knownDown) {
        return evaluate(now, side, knownDown, null);
    }

    /**
     * A tie-breaker's verdict read at this instant (the ping tie-breaker's continuous prober).
     *
     * @param wins    true when this side wins now
     * @param detail  why
     * @param pending true when the other side is most likely down but not proven yet: this side keeps what it had
     */
    public record TieVerdict(boolean wins, String detail, boolean pending) {

        /** A verdict that is not pending. */
        public TieVerdict(boolean wins, String detail) {
            this(wins, detail, false);
        }
    }

    /**
     * As {@link #evaluate(long, Set, Set)}, with the tie decided by a verdict of this instant when one is given: no
     * grace while a first answer is awaited, no wait between answers. This is how a lease rests on the tie-breaker:
     * it holds exactly while the verdict says this side wins.
     *
     * @param instant the tie-breaker's verdict now, or null to ask the tie-breaker in rounds ({@link #wantsTieBreak})
     */
    public synchronized QuorumView evaluate(long now, Set<String> side, Set<String> knownDown, TieVerdict instant) {
        this.side = Sorted.copyOf(side);
        Settings st = settings;
        String paused = now < rejoinAt ? String.format(Locale.ROOT,
                "paused for %.1f s, longer than the dead time: the others may have taken over; it stops everything "
                        + "and rejoins in %.1f s", pausedFor / 1000.0, (rejoinAt - now) / 1000.0) : null;
        if (!st.configured()) {
            lost = Set.of();
            QuorumView v = paused == null ? QuorumView.NOT_CONFIGURED : new QuorumView(false, false, false, 0, 0, paused, -1);
            lastHas = v.has();
            return v;
        }
        Map<String, Integer> votes = st.votes();
        Set<String> lostNow = new TreeSet<>(votes.keySet());
        lostNow.removeAll(side);
        lost = Sorted.copyOf(lostNow);
        for (String n : side) {
            if (votes.containsKey(n)) {
                seen.add(n);
            }
        }
        int mine = 0;
        int total = 0;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            boolean down = !e.getKey().equals(self) && knownDown.contains(e.getKey());
            if (!down) {
                total += e.getValue();
                if (side.contains(e.getKey())) {
                    mine += e.getValue();
                }
            }
        }
        boolean has;
        boolean mayFence;
        String detail;
        String count = mine + " of " + total + " votes";
        boolean tie = 2 * mine == total && total > 0;
        if (!votes.containsKey(self)) {
            has = false;
            mayFence = false;
            detail = "this node (" + self + ") is not named in cluster.nodes (" + String.join(", ", votes.keySet()) + ")";
        } else if (2 * mine > total) {
            has = true;
            mayFence = true;
            detail = count + ", a majority" + (lostNow.isEmpty() ? "" : "; lost: " + String.join(", ", lostNow));
        } else if (tie && st.tieBreaker().isEmpty()) {
            has = false;
            mayFence = true;
            detail = count + ", exactly half, and no tie-breaker (quorum.tiebreaker): fencing decides";
        } else if (tie && !seen.containsAll(votes.keySet())) {
            Set<String> never = new TreeSet<>(votes.keySet());
            never.removeAll(seen);
            has = false;
            mayFence = false;
            detail = count + ", exactly half; the tie-breaker is used only once every member has been seen since "
                    + "this node started (never seen: " + String.join(", ", never) + "; vigil:fence-confirm a node that is down for good)";
        } else if (tie && instant != null) {
            has = instant.pending() ? lastHas : instant.wins();
            detail = count + ", exactly half: the " + st.tieBreaker() + " tie-breaker " + (instant.pending()
                    ? (has ? "keeps this side's quorum meanwhile" : "is still undecided") : has ? "chose this side"
                    : "chose the other side") + " (" + instant.detail() + ")";
            mayFence = has;
        } else if (tie) {
            if (tieSince < 0) {
                tieSince = now;
                verdict = null;
            }
            if (verdict == null) {
                has = lastHas && now - tieSince < TIE_WAIT_MILLIS;
                detail = count + ", exactly half: asking the " + st.tieBreaker() + " tie-breaker"
                        + (has ? " (keeping quorum meanwhile)" : "");
            } else {
                has = verdict;
                detail = count + ", exactly half: the " + st.tieBreaker() + " tie-breaker " + (has ? "chose this side" : "chose the other side");
            }
            mayFence = has;
        } else {
            has = false;
            mayFence = false;
            detail = count + ", not a majority" + (lostNow.isEmpty() ? "" : "; lost: " + String.join(", ", lostNow));
        }
        if (!tie || instant != null) {
            tieSince = -1;
            verdict = null;
        }
        if (paused != null) {
            has = false;
            mayFence = false;
            detail = paused + " (" + detail + ")";
        }
        lastHas = has;
        return new QuorumView(true, has, mayFence, mine, total, detail, st.lossStopMillis());
    }

    /** @param now the monotonic time @return true when the tie-breaker should be asked now */
    public synchronized boolean wantsTieBreak(long now) {
        return tieSince >= 0 && (verdict == null || now - verdictAt >= TIE_RECHECK_MILLIS);
    }

    /** @return the side of the last evaluation (for the tie-breaker's request) */
    public synchronized Set<String> side() {
        return side;
    }

    /** @return the members not on this node's side at the last evaluation */
    public synchronized Set<String> lost() {
        return lost;
    }

    /**
     * @param wins the tie-breaker's answer
     * @param now  when it came
     */
    public synchronized void tieAnswer(boolean wins, long now) {
        if (tieSince >= 0) {
            verdict = wins;
            verdictAt = now;
        }
    }
}
