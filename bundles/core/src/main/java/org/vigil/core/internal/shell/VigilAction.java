package org.vigil.core.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.ShellUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every {@code vigil:} command. A command refused as given (an {@link IllegalArgumentException}: wrong
 * argument, unknown group) or accepted but failed (an {@link IllegalStateException}: a switchover that did not
 * finish) is one WARN line in the log and one error line for the admin, not a stack trace: Karaf logs its own
 * {@link CommandException} at DEBUG only. Anything else is a bug and keeps Karaf's ERROR with the stack trace.
 * <p>
 * When the session variable {@value #CLI_VARIABLE} holds a token ({@code bin/vigil} sets one), the command ends its
 * output with the line {@code <token> exit <status>}: Karaf's SSH channel only knows 0 and 1, and the wrapper turns
 * that line into its exit status (see {@link ExitStatus}).
 */
abstract class VigilAction implements Action {

    /** The session variable bin/vigil sets to its token. */
    static final String CLI_VARIABLE = "VIGIL_CLI";

    private static final Logger LOG = LoggerFactory.getLogger("org.vigil.shell");

    @Reference
    Session session;

    /**
     * The command itself.
     *
     * @return an {@link ExitStatus} when the outcome is more than success (status), else anything (ignored)
     * @throws Exception as {@link Action#execute()}
     */
    protected abstract Object run() throws Exception;

    @Override
    public final Object execute() throws Exception {
        try {
            Object result = run();
            System.out.flush();
            exitLine(result instanceof ExitStatus s ? s : ExitStatus.OK);
            return null;
        } catch (IllegalArgumentException | IllegalStateException e) {
            boolean rejected = e instanceof IllegalArgumentException;
            String message = oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            String user = ShellUtil.getCurrentUserName();
            LOG.warn("{} {}{}: {}", commandName(), rejected ? "rejected" : "failed", user == null ? "" : " (user " + user + ")",
                    message);
            System.out.flush();
            exitLine(rejected ? ExitStatus.REJECTED : ExitStatus.FAILED);
            // Karaf prints getNiceHelp() and logs the exception at DEBUG only (ShellUtil.logException).
            throw new CommandException("Error executing command " + commandName() + ": " + message, message);
        } catch (Exception | Error e) {
            exitLine(ExitStatus.FAILED);
            throw e;
        }
    }

    /** @return the authenticated user running this command (SSH, bin/vigil, the REST API), or null */
    static String user() {
        return ShellUtil.getCurrentUserName();
    }

    /**
     * @param names what the command names (group, node, ...), nulls left out; never parameter values (they may be
     *              secrets' paths or passwords)
     * @return the command and those names, for the document's history
     */
    String what(Object... names) {
        StringBuilder b = new StringBuilder(commandName());
        for (Object n : names) {
            if (n != null) {
                b.append(' ').append(n);
            }
        }
        return b.toString();
    }

    /** @return "vigil:NAME" from the command's annotation */
    String commandName() {
        Command c = getClass().getAnnotation(Command.class);
        return c == null ? getClass().getSimpleName() : c.scope() + ":" + c.name();
    }

    private void exitLine(ExitStatus status) {
        Object token = session == null ? null : session.get(CLI_VARIABLE);
        if (token != null && !token.toString().isBlank()) {
            System.out.println(token + " exit " + status.code());
            System.out.flush();
        }
    }

    /**
     * @param s a message that may hold line breaks or other control characters (they can come from the admin's input)
     * @return the message on one line: a list over several lines ("not added:\n  a: ...\n  b: ...") joined with
     *         "; ", any other control character written as \r, \t or \\uXXXX
     */
    static String oneLine(String s) {
        s = s.strip().replaceAll(":[ \t]*\n\\s*", ": ").replaceAll("[ \t]*\n\\s*", "; ");
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
