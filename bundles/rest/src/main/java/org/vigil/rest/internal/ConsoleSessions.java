package org.vigil.rest.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The web console's logins: a JAAS login traded for a random session id kept in an HttpOnly, Secure,
 * SameSite=Strict cookie, with a second random token the page must send back in {@value #CSRF_HEADER} with every
 * change (a cross-site page can make the browser send the cookie, never read the token). Sessions live in memory
 * only (a restart logs everybody out), end after {@code idle} ms without a request or {@code maxAge} ms after the
 * login, and at most {@value #MAX_SESSIONS} are kept (the one used longest ago is dropped first).
 */
final class ConsoleSessions {

    static final String COOKIE = "vigil-console";
    static final String CSRF_HEADER = "X-Vigil-Csrf";
    static final int MAX_SESSIONS = 256;

    /** A logged-in user of the console. */
    static final class Session {
        final String id;
        final String csrf;
        final JaasLogin.User user;
        final boolean admin;
        final long created;
        volatile long lastUsed;

        Session(String id, String csrf, JaasLogin.User user, boolean admin, long now) {
            this.id = id;
            this.csrf = csrf;
            this.user = user;
            this.admin = admin;
            this.created = now;
            this.lastUsed = now;
        }
    }

    private final long idle;
    private final long maxAge;
    private final LongSupplier millis;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> byId = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param idle   ms without a request after which a session ends
     * @param maxAge ms after the login after which a session ends whatever its use
     * @param millis the monotonic clock in ms
     */
    ConsoleSessions(long idle, long maxAge, LongSupplier millis) {
        this.idle = idle;
        this.maxAge = maxAge;
        this.millis = millis;
    }

    /** @return a new session for the user */
    synchronized Session create(JaasLogin.User user, boolean admin) {
        Session s = new Session(token(), token(), user, admin, millis.getAsLong());
        byId.put(s.id, s);
        for (Iterator<String> it = byId.keySet().iterator(); byId.size() > MAX_SESSIONS && it.hasNext();) {
            it.next();
            it.remove();
        }
        return s;
    }

    /**
     * @param cookieHeader the request's {@code Cookie} header, or null
     * @return its live session (now counted as used), or null
     */
    synchronized Session find(String cookieHeader) {
        String id = cookieValue(cookieHeader);
        Session s = id == null ? null : byId.get(id);
        if (s == null) {
            return null;
        }
        long now = millis.getAsLong();
        if (now - s.lastUsed > idle || now - s.created > maxAge) {
            byId.remove(id);
            return null;
        }
        s.lastUsed = now;
        return s;
    }

    /** @return true while the session has not ended (does not count as a use) */
    synchronized boolean alive(Session s) {
        long now = millis.getAsLong();
        return byId.get(s.id) == s && now - s.lastUsed <= idle && now - s.created <= maxAge;
    }

    /** Ends the session (logout). */
    synchronized void end(Session s) {
        byId.remove(s.id);
    }

    /** @return the sessions kept */
    synchronized int size() {
        return byId.size();
    }

    /** @return the Set-Cookie value that hands the session to the browser */
    String cookie(Session s) {
        return COOKIE + "=" + s.id + "; Path=/; Max-Age=" + maxAge / 1000 + "; Secure; HttpOnly; SameSite=Strict";
    }

    /** @return the Set-Cookie value that makes the browser forget the session */
    static String expiredCookie() {
        return COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict";
    }

    /** @return true when the header holds exactly the session's CSRF token */
    static boolean csrfMatches(Session s, String header) {
        return header != null && java.security.MessageDigest.isEqual(header.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                s.csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** @return the value of the console's cookie in a Cookie header, or null */
    static String cookieValue(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
