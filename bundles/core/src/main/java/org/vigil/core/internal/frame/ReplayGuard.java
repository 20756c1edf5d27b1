package org.vigil.core.internal.frame;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Rejects authenticated frames seen before: per sender and path, a frame is accepted only when its
 * (incarnation, sequence) is greater than the last accepted. A node's incarnation grows with every
 * start, so a restarted node is accepted at once while a recording of its earlier life is not.
 * Only authenticated frames reach this guard, so an attacker without the key cannot grow its table.
 */
public final class ReplayGuard {

    private record Mark(long incarnation, long sequence) {
    }

    private final ConcurrentHashMap<String, Mark> last = new ConcurrentHashMap<>();

    /** What the guard made of a frame. */
    public enum Verdict {
        /** New: accepted and recorded. */
        FRESH,
        /** The very frame accepted last, again (a transport that delivers twice, e.g. two TCP connections). */
        DUPLICATE,
        /** Older than the last accepted: a replay, or a frame overtaken on the way. */
        STALE
    }

    /** @param f an authenticated frame; @return true when it is new and is now recorded */
    public boolean accept(Frame f) {
        return check(f) == Verdict.FRESH;
    }

    /** @param f an authenticated frame; @return whether it is new (then recorded), a duplicate, or stale */
    public Verdict check(Frame f) {
        String k = f.sender() + '\u0000' + f.path();
        Verdict[] v = {Verdict.STALE};
        last.compute(k, (key, m) -> {
            if (m == null || f.incarnation() > m.incarnation
                    || (f.incarnation() == m.incarnation && f.sequence() > m.sequence)) {
                v[0] = Verdict.FRESH;
                return new Mark(f.incarnation(), f.sequence());
            }
            if (f.incarnation() == m.incarnation && f.sequence() == m.sequence) {
                v[0] = Verdict.DUPLICATE;
            }
            return m;
        });
        return v[0];
    }
}
