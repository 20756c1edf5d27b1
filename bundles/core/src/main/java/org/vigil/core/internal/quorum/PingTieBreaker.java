package org.vigil.core.internal.quorum;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.vigil.api.quorum.TieBreaker;
import org.vigil.api.resource.OperationContext;
import org.vigil.core.internal.exec.CommandRunner;
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
 * default the first member named in {@code cluster.nodes}). Every probe is one {@code ping -c 1 -W 1 -n}.
 */
public final class PingTieBreaker implements TieBreaker {

    private final List<String> targets;
    private final Map<String, String> peers;
    private final String winner;
    private final BiPredicate<String, Duration> ping;

    /**
     * @param targets the ping targets (literal addresses)
     * @param peers   each member's public address, by node name
     * @param winner  the member whose side wins when both sides may reach the targets
     * @param ping    how to probe an address within a time budget (true when it answers)
     */
    public PingTieBreaker(List<String> targets, Map<String, String> peers, String winner, BiPredicate<String, Duration> ping) {
        this.targets = List.copyOf(targets);
        this.peers = Map.copyOf(peers);
        this.winner = winner;
        this.ping = ping;
    }

    /**
     * @param targets {@code quorum.ping.targets}: literal addresses, comma-separated
     * @param peers   {@code quorum.ping.peers}: {@code node=address}, comma-separated
     * @param winner  {@code quorum.tiebreaker.winner}, or "" for the first member
     * @param members the members in the order of {@code cluster.nodes}
     * @return the tie-breaker
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    public static PingTieBreaker parse(String targets, String peers, String winner, Set<String> members) {
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
        return new PingTieBreaker(ts, ps, w, PingTieBreaker::ping);
    }

    private static String literal(String key, String a) {
        if (!a.matches("[0-9.]+|\\[?[0-9A-Fa-f:.]+\\]?")) {
            throw new IllegalArgumentException(key + ": '" + a + "' is not a literal IP address");
        }
        return a.replace("[", "").replace("]", "");
    }

    /** Pings once with the system's ping (raw sockets need privileges; ping has them). */
    static boolean ping(String address, Duration budget) {
        long secs = Math.max(1, Math.min(2, budget.toSeconds()));
        boolean v6 = address.contains(":");
        return CommandRunner.run(List.of("ping", v6 ? "-6" : "-4", "-c", "1", "-W", Long.toString(secs), "-n", address),
                Duration.ofSeconds(secs + 1)).succeeded();
    }

    @Override
    public String type() {
        return "ping";
    }

    /** @return a one-line account of the settings, for the status */
    public String describe() {
        return "ping targets " + String.join(", ", targets) + (peers.isEmpty() ? "" : "; peers " + peers)
                + "; if both sides may reach the targets, the side of " + winner + " wins";
    }

    @Override
    public boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op) {
        boolean reach = false;
        for (String t : targets) {
            if (!op.isCancelled() && ping.test(t, op.remaining())) {
                reach = true;
                break;
            }
        }
        if (!reach) {
            return false;
        }
        boolean otherMayReach = false;
        for (String n : lost) {
            String a = peers.get(n);
            if (a == null || op.isCancelled() || ping.test(a, op.remaining())) {
                otherMayReach = true;
                break;
            }
        }
        return !otherMayReach || side.contains(winner);
    }
}
