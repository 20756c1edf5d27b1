package org.vigil.rest.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import javax.security.auth.Subject;

/**
 * One console's stream of server-sent events: {@code vigil:status --json} read every {@value #POLL_MS} ms (as the
 * logged-in user) and sent as an event {@code status} whenever it changed, ages, frame counters and the time it was
 * taken left aside (they change at every read; the page shows none of them).
 * A comment every {@value #KEEPALIVE_MS} ms keeps proxies from closing it. It ends after {@value #LIFETIME_MS} ms
 * (the browser reconnects at once, which also proves its session still valid), when its session ends, when the
 * browser goes away or when the API stops. It only reads: closing the page changes nothing.
 */
final class StatusStream implements Runnable {

    static final long POLL_MS = 250;
    static final long KEEPALIVE_MS = 15_000;
    static final long LIFETIME_MS = 120_000;
    /** Fields that change at every read without anything having happened. */
    private static final Pattern VOLATILE = Pattern.compile(
            "\"(heardMillisAgo|millisAgo)\"\\s*:\\s*-?\\d+|\"counters\"\\s*:\\s*\\{[^}]*\\}|\\A\\{\\s*\"schema\"\\s*:\\s*\"[^\"]*\",\\s*\"time\"\\s*:\\s*\"[^\"]*\"");

    /** Where the status comes from: the result of {@code vigil:status --json} run as that user. */
    interface Source {
        ShellRunner.Result status(Subject subject);
    }

    private final HttpExchange ex;
    private final ConsoleSessions.Session session;
    private final ConsoleSessions sessions;
    private final Source source;

    StatusStream(HttpExchange ex, ConsoleSessions.Session session, ConsoleSessions sessions, Source source) {
        this.ex = ex;
        this.session = session;
        this.sessions = sessions;
        this.source = source;
    }

    @Override
    public void run() {
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ConsoleHandler.securityHeaders(ex);
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            write(out, "retry: 1000\n\n");
            long start = System.nanoTime();
            long lastWrite = start;
            String last = null;
            while (!Thread.currentThread().isInterrupted() && sessions.alive(session)
                    && System.nanoTime() - start < LIFETIME_MS * 1_000_000) {
                ShellRunner.Result r = source.status(session.user.subject());
                String event;
                String key;
                if (r.ok()) {
                    String json = r.output().strip();
                    key = stable(json);
                    event = event("status", json);
                } else {
                    key = "problem " + r.error();
                    event = event("problem", JsonText.write(Map.of("error", "vigil:status --json: " + r.error())));
                }
                if (!key.equals(last)) {
                    write(out, event);
                    last = key;
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite > KEEPALIVE_MS * 1_000_000) {
                    write(out, ": keep-alive\n\n");
                    lastWrite = System.nanoTime();
                }
                Thread.sleep(POLL_MS);
            }
            if (!sessions.alive(session)) {
                write(out, event("ended", "{\"error\": \"the session ended: log in again\"}"));
            }
        } catch (IOException e) {
            // the browser went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    /** @return the status without what changes at every read (ages, the time it was taken) */
    static String stable(String json) {
        return VOLATILE.matcher(json).replaceAll("");
    }

    /** @return one server-sent event; the data's line breaks (JSON formatting only) each start a data line */
    static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data.replace("\r", "").replace("\n", "\ndata: ") + "\n\n";
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
