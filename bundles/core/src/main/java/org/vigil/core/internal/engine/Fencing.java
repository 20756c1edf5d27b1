package org.vigil.core.internal.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceAgentDescription;
import org.vigil.api.fence.FenceResult;
import org.vigil.core.internal.FenceConfiguration;

/**
 * The fence devices of this node and the agents that drive them. {@link #fence} runs on a worker thread
 * (never the engine thread): levels in ascending order, the first level whose every device answers
 * {@link FenceResult.Outcome#NODE_OFF} wins; each call is guarded by the agent's timeout and turned into
 * FAILED on an exception. Devices and agents come and go from DS threads.
 */
public final class Fencing {

    private static final Logger LOG = LoggerFactory.getLogger(Fencing.class);

    private final List<FenceAgent> agents = new CopyOnWriteArrayList<>();
    private final List<FenceConfiguration> devices = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;

    /** @param clock monotonic milliseconds */
    public Fencing(LongSupplier clock) {
        this.clock = clock;
    }

    /** @param a an agent that appeared */
    public void addAgent(FenceAgent a) {
        agents.add(a);
    }

    /** @param a an agent going away */
    public void removeAgent(FenceAgent a) {
        agents.remove(a);
    }

    /** @param d a device configuration that appeared */
    public void addDevice(FenceConfiguration d) {
        devices.add(d);
    }

    /** @param d a device configuration going away */
    public void removeDevice(FenceConfiguration d) {
        devices.remove(d);
    }

    /** @param node a node @return true when a device is configured for it (even one whose agent is missing) */
    public boolean hasDevice(String node) {
        return devices.stream().anyMatch(d -> d.nodes().contains(node));
    }

    /** @return every installed agent's description, by type */
    public Map<String, FenceAgentDescription> types() {
        Map<String, FenceAgentDescription> out = new TreeMap<>();
        for (FenceAgent a : agents) {
            FenceAgentDescription d = describe(a);
            if (d != null) {
                out.put(d.type(), d);
            }
        }
        return out;
    }

    /** One configured device, for the status. @param name its name @param type its agent @param nodes what it fences @param level its level @param state ok or the problem */
    public record DeviceStatus(String name, String type, List<String> nodes, int level, String state) {
    }

    /** @return every configured device with its state */
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (FenceConfiguration d : devices) {
            out.add(new DeviceStatus(d.name(), d.type(), d.nodes().stream().sorted().toList(), d.level(), problem(d)));
        }
        out.sort(Comparator.comparing(DeviceStatus::name));
        return out;
    }

    private String problem(FenceConfiguration d) {
        if (d.problem() != null) {
            return "invalid: " + d.problem();
        }
        FenceAgent a = agent(d.type());
        if (a == null) {
            return "agent '" + d.type() + "' is not installed (feature:install vigil-fence-" + d.type() + ")";
        }
        List<String> problems;
        try {
            problems = a.validate(withDefaults(a, d));
        } catch (RuntimeException e) {
            problems = List.of("the agent's validation failed: " + e);
        }
        return problems == null || problems.isEmpty() ? "ok" : "invalid: " + String.join("; ", problems);
    }

    private FenceAgent agent(String type) {
        for (FenceAgent a : agents) {
            FenceAgentDescription d = describe(a);
            if (d != null && d.type().equals(type)) {
                return a;
            }
        }
        return null;
    }

    private static FenceAgentDescription describe(FenceAgent a) {
        try {
            return a.describe();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("fence agent {} cannot describe itself: {}", a.getClass().getName(), e.toString());
            return null;
        }
    }

    private static Map<String, String> withDefaults(FenceAgent a, FenceConfiguration d) {
        Map<String, String> p = new LinkedHashMap<>();
        FenceAgentDescription desc = describe(a);
        if (desc != null) {
            for (ParameterDescription pd : desc.parameters()) {
                if (pd.defaultValue() != null) {
                    p.put(pd.name(), pd.defaultValue());
                }
            }
        }
        p.putAll(d.params());
        return p;
    }

    /**
     * Fences a node with its devices, level by level. Blocking: call on a worker thread.
     *
     * @param node   the node
     * @param action what to do
     * @return NODE_OFF (or NODE_ON for a status) with the device that vouched for it, or FAILED with every reason
     */
    public FenceResult fence(String node, FenceAction action) {
        Map<Integer, List<FenceConfiguration>> levels = new TreeMap<>();
        for (FenceConfiguration d : devices) {
            if (d.nodes().contains(node)) {
                levels.computeIfAbsent(d.level(), k -> new ArrayList<>()).add(d);
            }
        }
        if (levels.isEmpty()) {
            return new FenceResult(FenceResult.Outcome.FAILED, "no fence device is configured for " + node
                    + " (etc/org.vigil.fence-<name>.cfg with nodes = " + node + ")");
        }
        List<String> failures = new ArrayList<>();
        for (Map.Entry<Integer, List<FenceConfiguration>> level : levels.entrySet()) {
            FenceResult last = null;
            boolean ok = true;
            for (FenceConfiguration d : level.getValue().stream().sorted(Comparator.comparing(FenceConfiguration::name)).toList()) {
                FenceResult r = call(d, node, action);
                last = r;
                if (r.outcome() == FenceResult.Outcome.FAILED) {
                    failures.add(d.name() + ": " + r.message());
                    ok = false;
                    break;
                }
            }
            if (ok && last != null) {
                String devs = String.join(", ", level.getValue().stream().map(FenceConfiguration::name).sorted().toList());
                return new FenceResult(last.outcome(), "level " + level.getKey() + " (" + devs + "): " + last.message());
            }
        }
        return new FenceResult(FenceResult.Outcome.FAILED, String.join("; ", failures));
    }

    private FenceResult call(FenceConfiguration d, String node, FenceAction action) {
        if (d.problem() != null) {
            return new FenceResult(FenceResult.Outcome.FAILED, "invalid configuration: " + d.problem());
        }
        FenceAgent a = agent(d.type());
        if (a == null) {
            return new FenceResult(FenceResult.Outcome.FAILED, "fence agent '" + d.type() + "' is not installed");
        }
        FenceAgentDescription desc = describe(a);
        long timeout = desc == null || desc.timeout().isZero() || desc.timeout().isNegative() ? 60_000 : desc.timeout().toMillis();
        Map<String, String> params = withDefaults(a, d);
        List<String> problems;
        try {
            problems = a.validate(params);
        } catch (RuntimeException e) {
            problems = List.of("the agent's validation failed: " + e);
        }
        if (problems != null && !problems.isEmpty()) {
            return new FenceResult(FenceResult.Outcome.FAILED, "invalid configuration: " + String.join("; ", problems));
        }
        OpContext op = new OpContext(timeout, clock);
        try {
            FenceResult r = a.fence(node, action, params, op);
            if (r == null) {
                return new FenceResult(FenceResult.Outcome.FAILED, "the agent returned no result");
            }
            if (clock.getAsLong() > op.deadline() + 200 && r.outcome() != FenceResult.Outcome.FAILED) {
                LOG.warn("fence device {} answered {} after its timeout of {} ms", d.name(), r.outcome(), timeout);
            }
            if (action == FenceAction.OFF && r.outcome() == FenceResult.Outcome.NODE_ON) {
                return new FenceResult(FenceResult.Outcome.FAILED, "the device says " + node + " is on: " + r.message());
            }
            return r;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("fence device {} threw while fencing {}", d.name(), node, e);
            return new FenceResult(FenceResult.Outcome.FAILED, "the agent threw " + e);
        }
    }
}
