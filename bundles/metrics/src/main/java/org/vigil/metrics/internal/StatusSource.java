package org.vigil.metrics.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.AccessController;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * Reads this node's status as {@code vigil:status --json} prints it, in a headless shell session as the current
 * user: the metrics go through the documented status schema, the core's one outward face, and need no API of
 * their own.
 */
final class StatusSource {

    private final SessionFactory sessions;

    StatusSource(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /** The longest a status may take; it answers in milliseconds unless the node is in trouble. */
    static final long TIMEOUT_SECONDS = 30;

    /**
     * @return the status JSON text
     * @throws IllegalStateException when the status command is missing, failed or did not answer, with its message
     */
    @SuppressWarnings("removal") // the shell's user travels in the access control context (Karaf 4.4, Java 17)
    String read() {
        Subject user = Subject.getSubject(AccessController.getContext());
        // A session of its own on a thread of its own: on the calling command's thread the shell's per-thread
        // streams are the caller's, and the status would be printed there instead of captured.
        java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(() -> run(user));
        Thread t = new Thread(task, "vigil-metrics-status");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            t.interrupt();
            throw new IllegalStateException("vigil:status --json did not answer within " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the status");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IllegalStateException ise ? ise : new IllegalStateException(String.valueOf(c), c);
        }
    }

    private String run(Subject user) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            PrivilegedExceptionAction<Object> status = () -> session.execute("vigil:status --json");
            if (user == null) {
                status.run();
            } else {
                Subject.doAs(user, status);
            }
        } catch (java.security.PrivilegedActionException e) {
            throw new IllegalStateException("vigil:status --json failed: " + e.getException().getMessage(), e.getException());
        } catch (Exception e) {
            throw new IllegalStateException("vigil:status --json failed: " + e.getMessage()
                    + " (is the vigil-core feature installed?)", e);
        } finally {
            session.close();
        }
        out.flush();
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new IllegalStateException("vigil:status --json printed nothing");
        }
        return text;
    }
}
