package org.vigil.core.internal.shell;

import java.util.Comparator;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code vigil:help}: the commands and what each does, as plain lines. Karaf's own {@code help} needs a terminal and
 * prints nothing over {@code bin/client -b} or in a script; this one works everywhere ({@code bin/vigil help}).
 */
@Command(scope = "vigil", name = "help", description = "Lists the vigil commands with what each does (also without a terminal)")
@Service
public class HelpCommand extends VigilAction {

    @Option(name = "--all", description = "List the commands of every scope (bundle:, feature:, ...), not only vigil:")
    boolean all;

    @Argument(index = 0, name = "scope", description = "List the commands of this scope instead of vigil (e.g. feature)")
    String scope;

    @Override
    protected Object run() {
        String wanted = scope == null ? "vigil" : scope.endsWith(":") ? scope.substring(0, scope.length() - 1) : scope;
        List<org.apache.karaf.shell.api.console.Command> commands = session.getRegistry().getCommands().stream()
                .filter(c -> all || c.getScope().equals(wanted))
                .sorted(Comparator.comparing((org.apache.karaf.shell.api.console.Command c) -> c.getScope())
                        .thenComparing(org.apache.karaf.shell.api.console.Command::getName))
                .toList();
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("no commands in scope '" + wanted + "' (try vigil:help --all)");
        }
        int width = commands.stream().mapToInt(c -> c.getScope().length() + c.getName().length() + 1).max().orElse(0);
        for (org.apache.karaf.shell.api.console.Command c : commands) {
            String name = c.getScope() + ":" + c.getName();
            String d = c.getDescription() == null ? "" : c.getDescription();
            System.out.println("  " + name + " ".repeat(width - name.length() + 2) + VigilAction.oneLine(d));
        }
        System.out.println();
        System.out.println("A command's options and arguments: COMMAND --help (bin/vigil help COMMAND). Options go before arguments.");
        return null;
    }
}
