package org.vigil.systemtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A background sampler for the system tests: every period it takes a sample of where things run, records
 * each change and every sampled instant that is an overlap (something on two nodes at once), and the
 * longest gap between two samples, so a test can say how fine-grained its "never on both" check was.
 *
 * @param <S> what one sample holds
 */
abstract class Watch<S> implements AutoCloseable {

    /** One sample: at this wall-clock time, this state. @param <S> the state type */
    record Sample<S>(long atMillis, S state) {
        @Override
        public String toString() {
            return atMillis + " " + state;
        }
    }

    private final String name;
    private final long periodMillis;
    private final Thread thread;
    private final List<Sample<S>> changes = Collections.synchronizedList(new ArrayList<>());
    private final List<Sample<S>> overlaps = Collections.synchronizedList(new ArrayList<>());
    private volatile S current;
    private volatile long samples;
    private volatile long maxGapMillis;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /** @param name names the thread and the errors @param periodMillis the pause between samples */
    Watch(String name, long periodMillis) {
        this.name = name;
        this.periodMillis = periodMillis;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
    }

    /** @return one sample, taken now */
    abstract S sample();

    /** @param s a sample @return true when it shows something on more than one node */
    abstract boolean isOverlap(S s);

    /** Takes the first sample and starts sampling; subclasses call it once they can sample. */
    final void begin() {
        current = sample();
        changes.add(new Sample<>(System.currentTimeMillis(), current));
        thread.start();
    }

    private void loop() {
        long last = System.nanoTime();
        try {
            while (running) {
                S now = sample();
                long t = System.currentTimeMillis();
                long mono = System.nanoTime();
                maxGapMillis = Math.max(maxGapMillis, (mono - last) / 1_000_000);
                last = mono;
                samples++;
                if (!now.equals(current)) {
                    changes.add(new Sample<>(t, now));
                    current = now;
                }
                if (isOverlap(now)) {
                    overlaps.add(new Sample<>(t, now));
                }
                Thread.sleep(periodMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** @return the last sample */
    S current() {
        check();
        return current;
    }

    /** @return every sampled instant that was an overlap */
    List<Sample<S>> overlaps() {
        check();
        synchronized (overlaps) {
            return List.copyOf(overlaps);
        }
    }

    /** @return every change, the first sample included */
    List<Sample<S>> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    /** @return how many samples were taken, and the longest gap between two (ms) */
    String stats() {
        return samples + " samples, longest gap " + maxGapMillis + " ms";
    }

    /** @return the longest gap between two samples (ms) */
    long maxGapMillis() {
        return maxGapMillis;
    }

    /** Fails the test if the sampler failed or stopped on its own. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("the " + name + " failed", failure);
        }
        if (!thread.isAlive() && running) {
            throw new IllegalStateException("the " + name + " stopped");
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
