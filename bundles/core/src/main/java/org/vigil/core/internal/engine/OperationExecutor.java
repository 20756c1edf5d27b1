package org.vigil.core.internal.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.api.ParameterDescription;
import org.vigil.api.alert.Severity;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.api.resource.ResultCode;
import org.vigil.core.internal.exec.ProcessRegistry;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.policy.Action;
import org.vigil.core.internal.policy.ResourceState;

/**
 * Carries out the policy's resource operations (start, stop, monitor, probe): each on a worker thread through
 * the resource's handler, bounded by the type's timeout; the result comes back to the engine thread, where it
 * changes the resource's state and, on failure, restarts the group in place or bans it here.
 */
final class OperationExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(OperationExecutor.class);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    /** Times an operation may take beyond its deadline before the engine declares it timed out. */
    private static final long TIMEOUT_GRACE_MILLIS = 200;

    private final String node;
    private final Path stateDir;
    private final LongSupplier clock;
    private final DocumentStore docs;
    private final MembershipTracker members;
    private final ProcessRegistry processes;
    private final Alerts alerts;
    private final ExecutorService workers;
    private final Inbox inbox;
    private final LocalState locals;
    private final ResourceTypes types;
    private final Proofs proofs;
    private final FenceControl fences;

    OperationExecutor(String node, Path stateDir, LongSupplier clock, DocumentStore docs, MembershipTracker members,
            ProcessRegistry processes, Alerts alerts, ExecutorService workers, Inbox inbox, LocalState locals,
            ResourceTypes types, Proofs proofs, FenceControl fences) {
        this.node = node;
        this.stateDir = stateDir;
        this.clock = clock;
        this.docs = docs;
        this.members = members;
        this.processes = processes;
        this.alerts = alerts;
        this.workers = workers;
        this.inbox = inbox;
        this.locals = locals;
        this.types = types;
        this.proofs = proofs;
        this.fences = fences;
    }

    /**
     * Carries out one action of the policy: a resource operation is handed to a worker unless the resource is
     * busy or unknown; fencing goes to {@link FenceControl}; a finished switchover clears its request.
     */
    void dispatch(Action a, long now) {
        if (a instanceof Action.ClearMove cm) {
            clearMove(cm);
            return;
        }
        if (a instanceof Action.Fence f) {
            fences.fence(f, now);
            return;
        }
        Local l = locals.resource(a.resource());
        if (l == null || l.op != null || l.def == null) {
            return;
        }
        ResourceType type = types.get(l.def.type());
        if (type == null) {
            return;
        }
        ResourceTypeDescription d = types.description(type);
        if (d == null) {
            return;
        }
        Duration timeout = a instanceof Action.Start ? d.startTimeout()
                : isStop(a) ? d.stopTimeout() : d.monitorTimeout();
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            timeout = DEFAULT_TIMEOUT;
        }
        ResourceHandler handler;
        try {
            handler = handler(l, type, d, a instanceof Action.Start);
        } catch (RuntimeException | LinkageError e) {
            complete(l, null, a, OperationResult.failed("cannot create a handler: " + e), clock.getAsLong());
            return;
        }
        boolean handover = a instanceof Action.Start st && st.handover();
        OpContext ctx = new OpContext(timeout.toMillis(), clock, handover);
        if (a instanceof Action.Start) {
            l.state = ResourceState.STARTING;
            LOG.info("starting {} (group {}{})", l.name, l.group, handover ? "; planned hand-over" : "");
        } else if (a instanceof Action.Stop || a instanceof Action.StopOrphan) {
            l.state = ResourceState.STOPPING;
            LOG.info("stopping {} (group {})", l.name, l.group);
        }
        Local target = l;
        ResourceHandler h = handler;
        try {
            InFlight[] self = new InFlight[1];
            long dispatchedAt = clock.getAsLong();
            Future<?> f = workers.submit(() -> {
                if (a instanceof Action.Start && clock.getAsLong() - dispatchedAt > members.deadTimeMillis()) {
                    // Handed over before a pause of this node: the others may have taken the group over meanwhile.
                    inbox.submit(() -> {
                        if (target.op != null && target.op == self[0]) {
                            target.op = null;
                            target.state = ResourceState.STOPPED;
                            LOG.warn("not starting {}: the start was due before this node was paused", target.name);
                        }
                    });
                    return;
                }
                OperationResult r = call(h, a, ctx, target.name);
                inbox.submit(() -> {
                    if (target.op != null && target.op == self[0]) {
                        complete(target, target.op, a, r, clock.getAsLong());
                    }
                });
            });
            // Completions run on this (the engine) thread, so l.op is set before any completion is applied.
            self[0] = new InFlight(a, ctx, f);
            l.op = self[0];
        } catch (RejectedExecutionException e) {
            complete(l, null, a, OperationResult.failed("no worker thread free (too many operations under way)"),
                    clock.getAsLong());
        }
    }

    private void clearMove(Action.ClearMove cm) {
        try {
            docs.update(d -> {
                GroupDef g = d.group(cm.group()).orElse(null);
                if (g == null || !cm.moveTo().equals(g.moveTo())) {
                    return d.nextWithMaintenance(node, d.maintenance()); // raced with another change: harmless bump
                }
                return d.nextWithGroup(node, cm.group(), x -> x.withRole(x.role(), null));
            });
            LOG.info("switchover of {} to {} is over; request cleared", cm.group(), cm.moveTo());
        } catch (RuntimeException e) {
            LOG.warn("cannot clear the switchover request of {}: {}", cm.group(), e.getMessage());
        }
    }

    /**
     * A resource that may be active keeps the handler it was started (or found running) with, so that its monitor and
     * its stop act on what runs: after vigil:resource-set changed its address, the stop must remove the old address,
     * not look for the new one. A start, or any call on a stopped resource, takes the current definition.
     */
    private ResourceHandler handler(Local l, ResourceType type, ResourceTypeDescription d, boolean starting) {
        if (l.handler != null && l.handlerType == type
                && (l.def.equals(l.handlerDef) || !starting && l.state.isActive() && l.state != ResourceState.UNKNOWN)) {
            return l.handler;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (ParameterDescription p : d.parameters()) {
            if (p.defaultValue() != null) {
                params.put(p.name(), p.defaultValue());
            }
        }
        params.putAll(l.def.params());
        ResourceContextImpl ctx = new ResourceContextImpl(l.name, l.group == null ? "" : l.group, node, params,
                stateDir.resolve("resources").resolve(l.name), processes, proofs::knownFenced,
                proofs::stopProof);
        l.handler = Objects.requireNonNull(type.createHandler(ctx), "createHandler returned null");
        l.handlerType = type;
        l.handlerDef = l.def;
        return l.handler;
    }

    private static OperationResult call(ResourceHandler h, Action a, OpContext ctx, String name) {
        try {
            OperationResult r = a instanceof Action.Start ? h.start(ctx) : isStop(a) ? h.stop(ctx) : h.monitor(ctx);
            return r == null ? OperationResult.failed("the agent returned no result") : r;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("agent of {} threw during {}", name, a.render(), e);
            return OperationResult.failed("the agent threw " + e);
        }
    }

    private static boolean isStop(Action a) {
        return a instanceof Action.Stop || a instanceof Action.StopOrphan;
    }

    /** @param now the monotonic time: operations past their deadline (and grace) are cancelled and fail */
    void checkTimeouts(long now) {
        for (Local l : locals.resources()) {
            InFlight op = l.op;
            if (op != null && now > op.ctx().deadline() + TIMEOUT_GRACE_MILLIS) {
                op.ctx().cancel();
                op.future().cancel(true);
                complete(l, op, op.action(), OperationResult.failed("timed out after "
                        + op.ctx().timeout().toMillis() / 1000.0 + " s"), now);
            }
        }
    }

    private void complete(Local l, InFlight op, Action a, OperationResult r, long now) {
        l.op = null;
        if (op != null) {
            locals.times().record(l.name, OperationNames.of(a), now - (op.ctx().deadline() - op.ctx().timeout().toMillis()),
                    OperationNames.succeeded(a, r));
        }
        String g = l.group == null ? "" : l.group;
        GroupDef gd = docs.current().group(g).orElse(null);
        boolean typePresent = l.def != null && types.has(l.def.type());
        l.message = r.message();
        if (a instanceof Action.Start) {
            if (r.code().isRunning()) {
                l.state = ResourceState.RUNNING;
                l.degraded = r.code() == ResultCode.DEGRADED;
                l.lastMonitor = now;
                locals.inPlace().started(l.name);
                LOG.info("started {} (group {}){}", l.name, g, r.message().isEmpty() ? "" : ": " + r.message());
            } else if (launchRetried(l, g, r)) {
                l.state = ResourceState.FAILED;
            } else {
                l.state = ResourceState.FAILED;
                locals.ban(g, "start of " + l.name + " failed: " + r);
                alerts.raise(Severity.CRITICAL, "start-failed", l.name, "start of " + l.name + " on " + node
                        + " failed (" + r + "); group " + g + " may not run here until vigil:cleanup " + g);
            }
        } else if (isStop(a)) {
            stopped(l, g, r);
        } else if (a instanceof Action.Probe) {
            l.lastMonitor = now;
            switch (r.code()) {
                case OK, DEGRADED -> {
                    l.state = ResourceState.RUNNING;
                    l.degraded = r.code() == ResultCode.DEGRADED;
                    LOG.info("probe: {} is running here", l.name);
                }
                case NOT_RUNNING, NOT_INSTALLED -> l.state = ResourceState.STOPPED;
                default -> {
                    l.state = ResourceState.FAILED;
                    locals.note(g, "probe of " + l.name + " found it failed: " + r);
                    LOG.warn("probe: {} is failed here: {}", l.name, r);
                }
            }
        } else if (a instanceof Action.Monitor && l.state == ResourceState.RUNNING) {
            l.lastMonitor = now;
            if (r.code().isRunning()) {
                l.degraded = r.code() == ResultCode.DEGRADED;
            } else {
                l.state = ResourceState.FAILED;
                failed(g, gd, l.name, r, now);
            }
        }
        if (!typePresent && l.state.isActive() && l.state != ResourceState.STOP_FAILED) {
            l.state = ResourceState.UNMANAGED;
        }
        inbox.wakeup();
    }

    private void stopped(Local l, String g, OperationResult r) {
        if (r.isOk()) {
            l.state = ResourceState.STOPPED;
            l.degraded = false;
            LOG.info("stopped {} (group {})", l.name, g);
        } else {
            l.state = ResourceState.STOP_FAILED;
            locals.ban(g, "stop of " + l.name + " failed: " + r);
            alerts.raise(Severity.CRITICAL, "stop-failed", l.name, "stop of " + l.name + " on " + node + " failed ("
                    + r + "); group " + g + " is blocked: it may still run here. Make sure it is stopped, then run "
                    + "vigil:cleanup " + g);
        }
    }

    private void failed(String g, GroupDef gd, String resource, OperationResult r, long now) {
        GroupLocal gl = locals.group(g);
        long window = gd == null ? GroupDef.DEFAULT_RESTART_WINDOW : gd.restartWindowMillis();
        int max = gd == null ? GroupDef.DEFAULT_MAX_RESTARTS : gd.maxRestarts();
        gl.failures.addLast(now);
        while (!gl.failures.isEmpty() && now - gl.failures.peekFirst() > window) {
            gl.failures.removeFirst();
        }
        String what = "monitor of " + resource + " failed (" + r + ")";
        if (gl.failures.size() > max) {
            locals.ban(g, what + "; " + gl.failures.size() + " failures within " + window / 1000 + " s");
            alerts.raise(Severity.CRITICAL, "group-failover", g, what + " on " + node + ": " + gl.failures.size()
                    + " failures within " + window / 1000 + " s exceed max-restarts " + max + "; group " + g
                    + " fails over");
        } else {
            locals.note(g, what);
            locals.inPlace().begin(g);
            locals.groupCounters().restarted(g);
            alerts.raise(Severity.WARNING, "resource-restart", resource, what + " on " + node + "; restarting in place ("
                    + gl.failures.size() + " of " + max + " within " + window / 1000 + " s)");
        }
    }

    /**
     * A start whose program could not be launched at all (a node-local I/O error, such as a JDK upgraded under
     * this JVM) is retried once in place before it bans the group.
     *
     * @return true when the start is retried (the group stays here, not banned)
     */
    private boolean launchRetried(Local l, String g, OperationResult r) {
        String launch = processes.takeLaunchFailure(l.name);
        if (launch == null || !locals.inPlace().retryLaunch(l.name)) {
            return false;
        }
        locals.note(g, "start of " + l.name + " could not launch its program (" + launch + "): retrying once here");
        locals.inPlace().begin(g);
        alerts.raise(Severity.WARNING, "start-retried", l.name, "start of " + l.name + " on " + node
                + " could not launch its program (" + launch + "); retrying once before group " + g + " is banned here");
        return true;
    }

    // ---- shutdown (the engine thread has ended: these run on the caller's thread) ----

    /** Lets operations under way finish, bounded by their own deadlines, and applies their results. */
    void finishUnderway() {
        for (Local l : locals.resources()) {
            InFlight op = l.op;
            if (op != null) {
                try {
                    op.future().get(Math.max(0, op.ctx().deadline() - clock.getAsLong()) + 100, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    op.future().cancel(true);
                }
                l.op = null;
                inbox.runAll();
            }
        }
    }

    /**
     * Stops every active local resource on the calling thread, groups in reverse order and each group's resources
     * in reverse order, each bounded by its type's stop timeout; nothing in maintenance mode.
     *
     * @param doc         the cluster document
     * @param stoppedOne  called after each stop (the caller publishes the new report)
     */
    void stopAll(ClusterDocument doc, Runnable stoppedOne) {
        if (doc.maintenance()) {
            LOG.warn("shutting down in maintenance mode: resources are left as they are");
            return;
        }
        List<GroupDef> groups = new ArrayList<>(doc.groups());
        Collections.reverse(groups);
        for (GroupDef g : groups) {
            if (g.maintenance()) {
                continue;
            }
            for (int k = g.resources().size() - 1; k >= 0; k--) {
                Local l = locals.resource(g.resources().get(k).name());
                if (l == null || !(l.state == ResourceState.RUNNING || l.state == ResourceState.FAILED)) {
                    continue;
                }
                if (stopNow(l, g.name())) {
                    stoppedOne.run();
                }
            }
        }
    }

    /** @return false when the resource's type is not installed (nothing was done) */
    private boolean stopNow(Local l, String group) {
        ResourceType type = types.get(l.def.type());
        ResourceTypeDescription d = type == null ? null : types.description(type);
        if (d == null) {
            return false;
        }
        OpContext ctx = new OpContext(d.stopTimeout().toMillis(), clock);
        OperationResult r;
        try {
            r = call(handler(l, type, d, false), new Action.Stop(group, l.name), ctx, l.name);
        } catch (RuntimeException e) {
            r = OperationResult.failed(e.toString());
        }
        stopped(l, group, r);
        return true;
    }
}
