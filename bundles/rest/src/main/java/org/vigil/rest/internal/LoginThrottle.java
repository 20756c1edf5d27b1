package org.vigil.rest.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Failed logins, counted per client address. Each failure is answered after a delay that doubles with the address's
 * recent failures (from {@value #FIRST_DELAY_MS} ms up to {@value #MAX_DELAY_MS} ms); past {@code maxFailures}
 * failures within {@value #WINDOW_MS} ms, the address is refused (429) without its password being checked until the
 * window has passed since its last failure. A successful login clears its address. At most {@value #MAX_ADDRESSES}
 * addresses are remembered (the one that failed longest ago is forgotten first).
 */
final class LoginThrottle {

    static final long FIRST_DELAY_MS = 250;
    static final long MAX_DELAY_MS = 4000;
    static final long WINDOW_MS = 10 * 60 * 1000;
    static final int MAX_ADDRESSES = 4096;

    private record Failures(int count, long last) {
    }

    private final int maxFailures;
    private final LongSupplier millis;
    private final Map<String, Failures> byAddress = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong total = new AtomicLong();

    LoginThrottle(int maxFailures, LongSupplier millis) {
        this.maxFailures = maxFailures;
        this.millis = millis;
    }

    /** @return true when the address has failed too often lately: refuse it unchecked */
    synchronized boolean lockedOut(String address) {
        Failures f = recent(address);
        return f != null && f.count >= maxFailures;
    }

    /**
     * Counts a failure.
     *
     * @return how long to wait before answering it, in ms
     */
    synchronized long failed(String address) {
        total.incrementAndGet();
        Failures f = recent(address);
        int n = f == null ? 1 : f.count + 1;
        byAddress.put(address, new Failures(n, millis.getAsLong()));
        for (Iterator<String> it = byAddress.keySet().iterator(); byAddress.size() > MAX_ADDRESSES && it.hasNext();) {
            it.next();
            it.remove();
        }
        return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(n - 1, 10));
    }

    /** Clears the address after a successful login. */
    synchronized void succeeded(String address) {
        byAddress.remove(address);
    }

    /** @return every failed login since start */
    long totalFailures() {
        return total.get();
    }

    private Failures recent(String address) {
        Failures f = byAddress.get(address);
        if (f != null && millis.getAsLong() - f.last > WINDOW_MS) {
            byAddress.remove(address);
            return null;
        }
        return f;
    }
}
