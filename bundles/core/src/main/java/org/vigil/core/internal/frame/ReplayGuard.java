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

    /** @param f an authenticated frame; @return true when it is new and is now recorded */
    public boolean accept(Frame f) {
        String k = f.sender() + '\u0000' + f.path();
        boolean[] ok = new boolean[1];
        last.compute(k, (key, m) -> {
            if (m == null || f.incarnation() > m.incarnation
                    || (f.incarnation() == m.incarnation && f.sequence() > m.sequence)) {
                ok[0] = true;
                return new Mark(f.incarnation(), f.sequence());
            }
            return m;
        });
        return ok[0];
    }
}
