package org.vigil.rest.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.Subject;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * Runs one {@code vigil:*} command in a headless shell session as the authenticated user, so the API goes through
 * exactly the code, checks and messages of the shell. The session variable {@code VIGIL_CLI} asks the command for
 * its outcome line, as {@code bin/vigil} does (docs/cli.md): 0 ok, 1 degraded, 2 not ready, 3 rejected, 5 failed.
 */
final class ShellRunner {

    /** Exit statuses of the vigil commands (the core's ExitStatus). */
    static final int OK = 0;
    static final int REJECTED = 3;
    static final int FAILED = 5;
    /** No outcome line: the command did not run (unknown to the shell, or a bug). */
    static final int UNKNOWN = -1;

    /**
     * @param exit   the command's exit status ({@link #UNKNOWN} when it printed none)
     * @param output what it printed, without the outcome line
     * @param error  its one-line error, or null
     */
    record Result(int exit, String output, String error) {
        boolean ok() {
            return exit >= 0 && exit <= 2 && error == null;
        }
    }

    private final SessionFactory sessions;

    ShellRunner(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /**
     * @param call    the command
     * @param subject the authenticated user (the shell logs it with a rejected command), or null
     * @return what it printed and how it ended
     */
    Result run(ShellCall call, Subject subject) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String token = "vigil-rest-" + UUID.randomUUID();
        Map<String, Object> vars = new LinkedHashMap<>();
        String line = call.commandLine(vars);
        String error = null;
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            session.put("VIGIL_CLI", token);
            vars.forEach(session::put);
            PrivilegedExceptionAction<Object> action = () -> session.execute(line);
            if (subject == null) {
                action.run();
            } else {
                Subject.doAs(subject, action);
            }
        } catch (java.security.PrivilegedActionException e) {
            error = message(call, e.getException());
        } catch (Exception e) {
            error = message(call, e);
        } finally {
            session.close();
        }
        out.flush();
        return parse(bytes.toString(StandardCharsets.UTF_8), token, error);
    }

    /** Splits the outcome line off the output. */
    static Result parse(String text, String token, String error) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(token) + " exit (\\d+)\\R?").matcher(text);
        int exit = UNKNOWN;
        String output = text;
        if (m.find()) {
            exit = Integer.parseInt(m.group(1));
            output = text.substring(0, m.start()) + text.substring(m.end());
        }
        if (exit == UNKNOWN && error == null) {
            error = "the command printed no outcome";
        }
        return new Result(exit, output, error);
    }

    private static String message(ShellCall call, Throwable e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = "Error executing command vigil:" + call.command() + ": ";
        return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
    }
}
