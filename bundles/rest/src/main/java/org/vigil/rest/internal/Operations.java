package org.vigil.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Long operations (a switchover, a bring-in that waits, a fence) run here while the request that asked for them has
 * already been answered 202. Memory is bounded: at most {@code max} operations are kept; a finished one is forgotten
 * once older than {@code maxAge}, or first when room is needed; when all kept ones still run, a new one is refused.
 */
final class Operations {

    /** An operation's state. */
    enum State {
        RUNNING, SUCCEEDED, REJECTED, FAILED;

        String label() {
            return name().toLowerCase();
        }
    }

    /** One operation; its fields change once, when it ends. */
    static final class Operation {
        final String id;
        final String user;
        final String command;
        final Instant started;
        private volatile State state = State.RUNNING;
        private volatile Instant finished;
        private volatile ShellRunner.Result result;

        Operation(String id, String user, String command, Instant started) {
            this.id = id;
            this.user = user;
            this.command = command;
            this.started = started;
        }

        State state() {
            return state;
        }

        void finish(ShellRunner.Result r, Instant at) {
            result = r;
            finished = at;
            state = r.ok() ? State.SUCCEEDED : r.exit() == ShellRunner.REJECTED ? State.REJECTED : State.FAILED;
        }

        /** @return the operation as JSON values */
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("state", state.label());
            m.put("command", command);
            m.put("user", user);
            m.put("started", started.toString());
            m.put("finished", finished == null ? null : finished.toString());
            ShellRunner.Result r = result;
            m.put("exitCode", r == null ? null : (long) r.exit());
            m.put("output", r == null ? null : r.output());
            m.put("error", r == null ? null : r.error());
            return m;
        }
    }

    private final int max;
    private final Duration maxAge;
    private final Supplier<Instant> clock;
    private final ExecutorService executor;
    private final Map<String, Operation> ops = new LinkedHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    Operations(int max, Duration maxAge, Supplier<Instant> clock, ExecutorService executor) {
        this.max = max;
        this.maxAge = maxAge;
        this.clock = clock;
        this.executor = executor;
    }

    /**
     * @param user    who asked
     * @param command what runs, for the admin
     * @param work    the work; its result ends the operation
     * @param ended   told when it ends (the audit log)
     * @return the new operation, running
     * @throws ApiError 503 when every kept operation still runs
     */
    Operation submit(String user, String command, Supplier<ShellRunner.Result> work, Consumer<Operation> ended)
            throws ApiError {
        Operation op;
        synchronized (ops) {
            prune();
            for (Iterator<Operation> it = ops.values().iterator(); it.hasNext() && ops.size() >= max;) {
                if (it.next().state() != State.RUNNING) {
                    it.remove(); // the oldest finished one makes room
                }
            }
            if (ops.size() >= max) {
                throw new ApiError(503, null, max + " operations are still running; try again when one has ended");
            }
            op = new Operation("op-" + next.getAndIncrement(), user, command, clock.get());
            ops.put(op.id, op);
        }
        Operation o = op;
        try {
            executor.execute(() -> {
                ShellRunner.Result r;
                try {
                    r = work.get();
                } catch (RuntimeException e) {
                    r = new ShellRunner.Result(ShellRunner.UNKNOWN, "", String.valueOf(e));
                }
                o.finish(r, clock.get());
                ended.accept(o);
            });
        } catch (RejectedExecutionException e) {
            synchronized (ops) {
                ops.remove(o.id);
            }
            throw new ApiError(503, null, "the REST API is stopping");
        }
        return op;
    }

    /** @return the operation, or null when unknown or forgotten */
    Operation get(String id) {
        synchronized (ops) {
            prune();
            return ops.get(id);
        }
    }

    /** @return every kept operation, oldest first */
    List<Operation> all() {
        synchronized (ops) {
            prune();
            return new ArrayList<>(ops.values());
        }
    }

    /** Forgets finished operations past their age. */
    private void prune() {
        Instant limit = clock.get().minus(maxAge);
        ops.values().removeIf(o -> o.state() != State.RUNNING && o.finished.isBefore(limit));
    }
}
