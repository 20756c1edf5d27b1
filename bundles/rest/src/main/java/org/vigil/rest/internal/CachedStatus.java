package org.vigil.rest.internal;

import javax.security.auth.Subject;

/**
 * {@code vigil:status --json} shared by every open console of this node: read at most once per {@value #MAX_AGE_MS}
 * ms, so ten open pages cost what one costs. The status is the same for every user allowed to read it (each stream
 * checked its user's role when it opened).
 */
final class CachedStatus implements StatusStream.Source {

    static final long MAX_AGE_MS = 200;

    private final ShellRunner shell;
    private ShellRunner.Result last;
    private long lastAt;

    CachedStatus(ShellRunner shell) {
        this.shell = shell;
    }

    @Override
    public synchronized ShellRunner.Result status(Subject subject) {
        long now = System.nanoTime();
        if (last == null || now - lastAt > MAX_AGE_MS * 1_000_000) {
            last = shell.run(new ShellCall.Builder("status").option("--json").build(), subject);
            lastAt = System.nanoTime();
        }
        return last;
    }
}
