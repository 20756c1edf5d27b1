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
     * @return the verdict and why
     */
    public Outcome decide(Set<String> side, Set<String> lost, PingAnswers a, long now) {
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
        if (side.contains(winner)) {
            return new Outcome(Verdict.WIN, reached + " answers and this side holds the tie-breaker winner " + winner);
        }
        Outcome pending = null;
        Outcome undecided = null;
        for (String n : lost) { // a loss decides at once; else undecided, then pending, before a win
            String p = peers.get(n);
            if (p == null) {
                return new Outcome(Verdict.LOSE, n + " has no public address in quorum.ping.peers: its side may reach "
                        + "the targets too, and " + winner + "'s side wins");
            }
            long quiet = now - a.lastAnswer(p);
            boolean probed = now - a.probingSince(p) >= silenceMillis && now - a.lastReport(p) <= reachWindow();
            if (quiet <= reachWindow() || (quiet < silenceMillis && !probed)) {
                // no figure that changes every tick in the text: the placement reason would be logged at every tick
                return new Outcome(Verdict.LOSE, n + "'s public address " + p + " answered within the last "
                        + silenceMillis + " ms: its side may reach the targets too, and " + winner + "'s side wins");
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
                + silenceMillis + " ms or more");
    }
}
