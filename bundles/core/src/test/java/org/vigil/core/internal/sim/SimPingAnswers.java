package org.vigil.core.internal.sim;

import java.util.Map;
import java.util.TreeMap;
import org.vigil.core.internal.quorum.PingAnswers;

/**
 * What one simulated node's continuous prober saw, on that node's clock: the simulation's stand-in for
 * {@link org.vigil.core.internal.quorum.PingProber}. The simulation probes every address once a probe period while the
 * node's process runs and records each outcome here; a real {@link org.vigil.core.internal.quorum.PingTieBreaker}
 * reads it.
 */
final class SimPingAnswers implements PingAnswers {

    private final Map<String, Long> lastAnswer = new TreeMap<>();
    private final Map<String, Long> lastReport = new TreeMap<>();
    private final Map<String, Long> probingSince = new TreeMap<>();

    /** @param address an address the prober pings from now on (one ping process per address, started at {@code t}) */
    void probing(String address, long t) {
        probingSince.put(address, t);
    }

    /**
     * @param address  the probed address
     * @param t        the node's clock when the outcome was read
     * @param answered true when the address answered this probe
     */
    void probed(String address, long t, boolean answered) {
        lastReport.put(address, t);
        if (answered) {
            lastAnswer.put(address, t);
        }
    }

    @Override
    public long lastAnswer(String address) {
        return lastAnswer.getOrDefault(address, NEVER);
    }

    @Override
    public long probingSince(String address) {
        return probingSince.getOrDefault(address, NOT_PROBING);
    }

    @Override
    public long lastReport(String address) {
        return lastReport.getOrDefault(address, NEVER);
    }
}
