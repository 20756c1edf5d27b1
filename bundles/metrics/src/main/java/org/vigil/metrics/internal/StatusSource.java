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

    /**
     * @return the status JSON text
     * @throws IllegalStateException when the status command is missing or failed, with its message
     */
    @SuppressWarnings("removal") // the shell's user travels in the access control context (Karaf 4.4, Java 17)
    String read() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            PrivilegedExceptionAction<Object> status = () -> session.execute("vigil:status --json");
            Subject user = Subject.getSubject(AccessController.getContext());
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
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
