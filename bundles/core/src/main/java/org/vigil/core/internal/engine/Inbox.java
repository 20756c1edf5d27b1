package org.vigil.core.internal.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Work handed to the engine thread from any other thread (plug-in results, commands, resource types coming
 * and going): engine state has one writer, and everything else reaches it through here.
 */
final class Inbox {

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;

    /** @param t the engine thread, woken when work arrives */
    void attach(Thread t) {
        this.thread = t;
    }

    /** @return the engine thread, or null before it started */
    Thread thread() {
        return thread;
    }

    /** @param task work to run on the engine thread */
    void submit(Runnable task) {
        tasks.add(task);
        wakeup();
    }

    /** Wakes the engine thread now. */
    void wakeup() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Runs every queued task on the calling thread (the engine thread, or shutdown once it ended). */
    void runAll() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** @return true when no task waits */
    boolean isEmpty() {
        return tasks.isEmpty();
    }
}
