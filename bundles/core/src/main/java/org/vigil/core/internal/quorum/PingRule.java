package org.vigil.core.internal.quorum;

import java.util.Map;
import java.util.Set;

/**
 * The ping tie-breaker's rule, answered from the continuous prober's state (a pure function of that state and the
 * instant). A side wins when it reaches a target (an answer within the last {@link #reachWindow} ms) and either
 * every lost member's public address is silent (no answer for at least {@code quorum.ping.silence.ms} while a ping
 * probed it without a break and still reports) or the side holds {@code quorum.tiebreaker.winner}.
 *
 * <p>When the prober has not watched long enough to tell (just started, or a ping restarted), the rule says
 * {@link Verdict#UNDECIDED}; the caller may wait within its budget and must count undecided as a loss.
 */
public final class PingRule {

    /** The outcome. */
    public enum Verdict {
        /** This side wins the tie. */
        WIN,
        /** This side loses. */
        LOSE,
        /** Not enough data yet. */
        UNDECIDED,
        /**
         * A lost member's address stopped answering (for longer than the reach window) but has not been silent for
         * {@code quorum.ping.silence.ms} yet: most likely it is down; a side that holds its lease keeps it meanwhile.
         */
        PENDING
    }

    /**
     * @param verdict   the verdict
     * @param detail    why, for the log
     * @param unreached true when it loses because no target answered within the reach window while they are probed:
     *                  a fresh answer may still come (a reply late on a loaded machine)
     */
    public record Outcome(Verdict verdict, String detail, boolean unreached) {

        Outcome(Verdict verdict, String detail) {
            this(verdict, detail, false);
        }
    }

    /**
     * What this node remembers that the prober's state does not show (kept by the engine's quorum watch).
     *
     * @param seenAll this node has had every member on its side since it started or last lost quorum. Only then does
     *                the side holding the tie-breaker winner win by that alone (corosync's {@code wait_for_all}): a
     *                node that restarted, or lost quorum while cut off, may find the other side holding the groups
     *                it won by this node's silence, so it wins only when every lost member's address is silent, or
     *                hears them again
     * @param cutOff  lost members whose public address this node found silent while it held quorum, and that have
     *                not acknowledged this node since (nor been heard for long): they lost their own lease then and
     *                win no tie before they hear this node again, so their address answering again (the machine
     *                powered on, a cable back) counts as silent still
     */
    public record Memory(boolean seenAll, Set<String> cutOff) {

        /** A node that has seen every member and remembers nobody cut off: the rule as it reads the prober alone. */
        public static final Memory SETTLED = new Memory(true, Set.of());

        /** Copies the set. */
        public Memory {
            cutOff = Set.copyOf(cutOff);
        }
    }

    private static final String WAITS_FOR_ALL = "this side has not heard every member since it started or last lost "
            + "quorum (wait for all): it wins only when every lost member's address is silent, or hears them again";

    private final java.util.List<String> targets;
    private final Map<String, String> peers;
    private final String winner;
    private final long intervalMillis;
    private final long silenceMillis;

    /**
     * @param targets        the ping targets
     * @param peers          each member's public address, by node name
     * @param winner         the member whose side wins when both sides may reach the targets
     * @param intervalMillis the probe period
     * @param silenceMillis  how long a lost member's address must stay unanswered to count as silent
     */
    public PingRule(java.util.List<String> targets, Map<String, String> peers, String winner, long intervalMillis,
            long silenceMillis) {
        this.targets = java.util.List.copyOf(targets);
        this.peers = Map.copyOf(peers);
        this.winner = winner;
        this.intervalMillis = intervalMillis;
        this.silenceMillis = silenceMillis;
    }

    /** @return how recent a target's answer must be for this side to reach it: four probe periods */
    public long reachWindow() {
        return 4 * intervalMillis;
    }

    /**
     * @param side this node's side
     * @param lost the members not on it
     * @param a    the prober's state
     * @param now  this node's monotonic clock (ms)
     * @return the verdict and why, for a node that has seen every member and remembers nobody cut off
     */
    public Outcome decide(Set<String> side, Set<String> lost, PingAnswers a, long now) {
        return decide(side, lost, a, now, Memory.SETTLED);
    }

    /**
     * @param side   this node's side
     * @param lost   the members not on it
     * @param a      the prober's state
     * @param now    this node's monotonic clock (ms)
     * @param memory what this node remembers of the members since it last lost quorum
     * @return the verdict and why
     */
    public Outcome decide(Set<String> side, Set<String> lost, PingAnswers a, long now, Memory memory) {
        String reached = null;
        boolean watched = true;
        for (String t : targets) {
            if (now - a.lastAnswer(t) <= reachWindow()) {
                reached = t;
                break;
            }
            watched &= now - a.probingSince(t) >= reachWindow() && now - a.lastReport(t) <= reachWindow();
        }
        if (reached == null) {
            return watched ? new Outcome(Verdict.LOSE, "no ping target answered within the last " + reachWindow() + " ms", true)
                    : new Outcome(Verdict.UNDECIDED, "the ping targets have not been probed long enough yet");
        }
        boolean waitsForAll = side.contains(winner) && !memory.seenAll();
        if (side.contains(winner) && memory.seenAll()) {
            return new Outcome(Verdict.WIN, reached + " answers and this side holds the tie-breaker winner " + winner);
        }
        Outcome pending = null;
        Outcome undecided = null;
        Set<String> cut = new java.util.TreeSet<>();
        for (String n : lost) { // a loss decides at once; else undecided, then pending, before a win
            if (memory.cutOff().contains(n)) {
                cut.add(n); // found silent while this side held quorum, not heard since: it lost its lease then
                continue;
            }
            String p = peers.get(n);
            if (p == null) {
                return new Outcome(Verdict.LOSE, n + " has no public address in quorum.ping.peers: its side may reach "
                        + "the targets too, and " + (waitsForAll ? WAITS_FOR_ALL : winner + "'s side wins"));
            }
            long quiet = now - a.lastAnswer(p);
            boolean probed = now - a.probingSince(p) >= silenceMillis && now - a.lastReport(p) <= reachWindow();
            if (quiet <= reachWindow() || (quiet < silenceMillis && !probed)) {
                // no figure that changes every tick in the text: the placement reason would be logged at every tick
                return new Outcome(Verdict.LOSE, n + "'s public address " + p + " answered within the last "
                        + silenceMillis + " ms: its side may reach the targets too, and "
                        + (waitsForAll ? WAITS_FOR_ALL : winner + "'s side wins"));
            }
            if (!probed) {
                undecided = new Outcome(Verdict.UNDECIDED, n + "'s public address " + p + " has not been probed for "
                        + silenceMillis + " ms without a break yet");
            } else if (quiet < silenceMillis && pending == null) {
                pending = new Outcome(Verdict.PENDING, n + "'s public address " + p + " stopped answering; silent for "
                        + silenceMillis + " ms it counts as gone");
            }
        }
        if (undecided != null) {
            return undecided;
        }
        if (pending != null) {
            return pending;
        }
        return new Outcome(Verdict.WIN, reached + " answers and every lost member's public address has been silent for "
                + silenceMillis + " ms or more" + (cut.isEmpty() ? "" : " (" + String.join(", ", cut)
                + ": silent while this side held quorum, and not heard since)"));
    }
}
