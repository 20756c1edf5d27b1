package org.vigil.rest.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code vigil:*} shell command to run for a request. The command name and option names come from the route
 * table only; every value from the request is a separate argument that reaches the command as a session variable
 * ({@code $v0}, {@code $v1}...): the shell expands a variable into one argument and never parses its text, so no
 * value can add a command, an option or a second argument.
 *
 * @param command     the command, without scope ("switchover")
 * @param tokens      the command line after the name: option names (literal) and values (passed as variables)
 * @param longRunning true when the API answers 202 with an operation to poll instead of waiting for it
 * @param group       the group the request names (checked to exist first, for a 404), or null
 */
record ShellCall(String command, List<Token> tokens, boolean longRunning, String group) {

    /** An option name written into the command line as is, or a value passed as a variable. */
    record Token(String text, boolean literal) {
    }

    /** Builds a call token by token. */
    static final class Builder {
        private final String command;
        private final List<Token> tokens = new ArrayList<>();
        private boolean longRunning;
        private String group;

        Builder(String command) {
            this.command = command;
        }

        Builder option(String name) {
            tokens.add(new Token(name, true));
            return this;
        }

        Builder option(String name, Object value) {
            if (value != null) {
                tokens.add(new Token(name, true));
                tokens.add(new Token(value.toString(), false));
            }
            return this;
        }

        Builder value(String v) {
            if (v != null) {
                tokens.add(new Token(v, false));
            }
            return this;
        }

        Builder longRunning(boolean b) {
            longRunning = b;
            return this;
        }

        Builder group(String g) {
            group = g;
            return this;
        }

        ShellCall build() {
            return new ShellCall(command, List.copyOf(tokens), longRunning, group);
        }
    }

    /**
     * @param variables filled with the values, by variable name
     * @return the command line for the shell, values as {@code $vN}
     */
    String commandLine(Map<String, Object> variables) {
        StringBuilder b = new StringBuilder("vigil:").append(command);
        for (Token t : tokens) {
            if (t.literal()) {
                b.append(' ').append(t.text());
            } else {
                String name = "v" + variables.size();
                variables.put(name, t.text());
                b.append(" $").append(name);
            }
        }
        return b.toString();
    }

    /** @return the command as an admin would type it (values quoted), for the audit log */
    String display() {
        StringBuilder b = new StringBuilder("vigil:").append(command);
        for (Token t : tokens) {
            b.append(' ').append(t.literal() || t.text().matches("[A-Za-z0-9_.:,=/@+-]+") ? t.text()
                    : "'" + t.text().replace("'", "'\\''") + "'");
        }
        return b.toString();
    }
}
