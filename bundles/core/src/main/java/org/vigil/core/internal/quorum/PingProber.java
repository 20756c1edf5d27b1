package org.vigil.core.internal.quorum;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous prober of the ping tie-breaker: one long-running {@code ping -n -O -i <period>} per address, its
 * output read line by line, keeping per address when it last answered and when its ping last reported a probe
 * (an answer or {@code -O}'s "no answer yet"). Verdicts then need no fork and no wait: the answer exists at the
 * instant a peer is lost (issue 11, docs/design/fast-safe-failover.md point 4).
 *
 * <p>Each ping is supervised by a thread of its own ({@code vigil-ping[address]}): when it exits it is started
 * again after a backoff (doubling from 100 ms to 5 s, reset after a run of 10 s). {@link #configure} and
 * {@link #close} end pings by their process (destroy, then destroyForcibly). Memory is bounded: a few numbers and
 * one short line per address; a line longer than {@link #MAX_LINE} characters is cut.
 */
public final class PingProber implements PingAnswers, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PingProber.class);

    static final int MAX_LINE = 256;
    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final long STABLE_RUN_MILLIS = 10_000;
    private static final long END_WAIT_MILLIS = 1_000;

    private final List<String> command;
    private final LongSupplier clock;
    private final Map<String, Probe> probes = new LinkedHashMap<>();
    private long intervalMillis;
    private boolean closed;

    /**
     * @param command the ping program and any leading arguments (normally {@code ping}; a test may prefix
     *                {@code ip netns exec <ns>}, which execs ping in the same process)
     * @param clock   this node's monotonic clock (ms)
     */
    public PingProber(List<String> command, LongSupplier clock) {
        this.command = List.copyOf(command);
        this.clock = clock;
    }

    /**
     * Probes exactly these addresses every {@code intervalMillis}: pings of addresses no longer wanted are ended,
     * new ones started; a changed period restarts them all. Returns at once.
     *
     * @param addresses      literal addresses
     * @param intervalMillis the probe period (ms)
     */
    public synchronized void configure(Set<String> addresses, long intervalMillis) {
        if (closed) {
            throw new IllegalStateException("the ping prober is closed");
        }
        List<Probe> ending = new ArrayList<>();
        probes.entrySet().removeIf(e -> {
            boolean drop = !addresses.contains(e.getKey()) || intervalMillis != this.intervalMillis;
            if (drop) {
                ending.add(e.getValue());
            }
            return drop;
        });
        this.intervalMillis = intervalMillis;
        ending.forEach(Probe::end);
        for (String a : addresses) {
            probes.computeIfAbsent(a, x -> new Probe(x, intervalMillis)).start();
        }
    }

    /** @return the probed addresses */
    public synchronized Set<String> addresses() {
        return Set.copyOf(probes.keySet());
    }

    private synchronized Probe probe(String address) {
        return probes.get(address);
    }

    @Override
    public long lastAnswer(String address) {
        Probe p = probe(address);
        return p == null ? NEVER : p.lastAnswer;
    }

    @Override
    public long probingSince(String address) {
        Probe p = probe(address);
        return p == null ? NOT_PROBING : p.probingSince;
    }

    @Override
    public long lastReport(String address) {
        Probe p = probe(address);
        return p == null ? NEVER : p.lastReport;
    }

    /** @return why ping cannot run here (naming ping and its package), or null while every ping can */
    public synchronized String problem() {
        return probes.values().stream().map(p -> p.problem).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /** @return the process id of each running ping, by address */
    public synchronized Map<String, Long> pids() {
        Map<String, Long> out = new TreeMap<>();
        probes.forEach((a, p) -> {
            Process pr = p.process;
            if (pr != null && pr.isAlive()) {
                out.put(a, pr.pid());
            }
        });
        return out;
    }

    /** Ends every ping (destroy, then destroyForcibly) and its supervising thread. */
    @Override
    public void close() {
        List<Probe> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(probes.values());
            probes.clear();
        }
        all.forEach(Probe::end);
    }

    /** @return the ping command for one address */
    List<String> commandFor(String address, long intervalMillis) {
        List<String> c = new ArrayList<>(command);
        c.addAll(List.of(address.contains(":") ? "-6" : "-4", "-n", "-O", "-i",
                BigDecimal.valueOf(intervalMillis).movePointLeft(3).stripTrailingZeros().toPlainString(), address));
        return c;
    }

    /** One address's supervised ping. */
    private final class Probe {
        private final String address;
        private final long interval;
        private final Thread thread;
        private volatile Process process;
        private volatile boolean ended;
        volatile long lastAnswer = NEVER;
        volatile long lastReport = NEVER;
        volatile long probingSince = NOT_PROBING;
        volatile String problem;

        Probe(String address, long interval) {
            this.address = address;
            this.interval = interval;
            this.thread = new Thread(this::supervise, "vigil-ping[" + address + "]");
            thread.setDaemon(true);
        }

        void start() {
            if (thread.getState() == Thread.State.NEW) {
                thread.start();
            }
        }

        private void supervise() {
            long backoff = MIN_BACKOFF_MILLIS;
            List<String> cmd = commandFor(address, interval);
            while (!ended) {
                long started = clock.getAsLong();
                String outcome = run(cmd);
                probingSince = NOT_PROBING;
                if (ended) {
                    break;
                }
                if (clock.getAsLong() - started >= STABLE_RUN_MILLIS) {
                    backoff = MIN_BACKOFF_MILLIS;
                }
                LOG.warn("the ping of {} ended ({}); starting it again in {} ms", address, outcome, backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    break;
                }
                backoff = Math.min(2 * backoff, MAX_BACKOFF_MILLIS);
            }
        }

        /** @return how the run ended, for the log */
        private String run(List<String> cmd) {
            Process p;
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().put("LC_ALL", "C");
                p = pb.start();
            } catch (IOException | RuntimeException e) {
                problem = PingTool.notRunnable(cmd.get(0), String.valueOf(e.getMessage()));
                return "not started: " + e.getMessage();
            }
            synchronized (this) {
                process = p;
                if (ended) {
                    kill(p);
                    return "ended";
                }
            }
            boolean probed = false;
            String last = "";
            try (InputStream in = p.getInputStream()) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0) {
                    if (c != '\n') {
                        if (line.length() < MAX_LINE) {
                            line.append((char) c);
                        }
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    long now = clock.getAsLong();
                    if (l.matches("\\d+ bytes from .*")) {
                        lastAnswer = now;
                        lastReport = now;
                        probed = true;
                    } else if (l.startsWith("no answer yet") || l.contains("icmp_seq=")) {
                        lastReport = now;
                        probed = true;
                    } else if (l.startsWith("PING ")) {
                        probingSince = now;
                        problem = null;
                    } else if (!l.isBlank()) {
                        last = l;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            probingSince = NOT_PROBING;
            kill(p);
            if (!probed && !ended) {
                String tp = PingTool.classify(cmd.get(0), last);
                if (tp != null) {
                    problem = tp;
                }
            }
            return p.isAlive() ? "still running: " + last : "exit code " + p.exitValue() + (last.isEmpty() ? "" : ": " + last);
        }

        /** Ends the ping and waits for its thread (bounded). */
        void end() {
            Process p;
            synchronized (this) {
                ended = true;
                p = process;
            }
            if (p != null) {
                kill(p);
            }
            thread.interrupt();
            try {
                thread.join(2 * END_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends one ping by its process: destroy, then destroyForcibly; each wait bounded. */
    static void kill(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(END_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(END_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
