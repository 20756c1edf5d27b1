package org.vigil.core.internal.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.vigil.core.internal.alert.AlertLane;
import org.vigil.core.internal.alert.AlertSinkManager;

/** {@code vigil:alerts}: the alert sinks of this node, their counters, the configured sinks that do not run. */
@Command(scope = "vigil", name = "alerts", description = "Shows this node's alert sinks: what each delivered, failed, "
        + "timed out and dropped; with --test, raises a test event first")
@Service
public class AlertsCommand extends ClusterAction {

    @Reference(optional = true)
    AlertSinkManager manager;

    @Option(name = "--test", description = "Raise an INFO event of kind 'test' (delivered by every sink whose filter "
            + "admits it), then show the counters")
    boolean test;

    @Override
    protected Object run() throws Exception {
        PrintStream out = System.out;
        if (test) {
            cluster.raiseTestAlert("test alert from " + cluster.nodeName() + " (vigil:alerts --test)");
            Thread.sleep(500); // most sinks deliver within that; the counters then show it
        }
        print(out, cluster.alertSinks(), manager == null ? Map.of() : manager.problems(),
                manager == null ? Map.of() : manager.types());
        return null;
    }

    static void print(PrintStream out, List<AlertLane.Stats> sinks, Map<String, String> problems, Map<String, String> types) {
        out.println("Alert sink types installed: " + (types.isEmpty() ? "none (feature:install vigil-alert-mail, "
                + "vigil-alert-webhook, vigil-alert-syslog, vigil-alert-command)" : String.join(", ", types.keySet())));
        if (sinks.isEmpty() && problems.isEmpty()) {
            out.println("No alert sink: events go to the log only (configure etc/org.vigil.alert-<name>.cfg)");
            return;
        }
        for (AlertLane.Stats s : sinks) {
            out.printf("  %-16s delivered %d, failed %d, timed out %d, dropped %d, waiting %d  (%s)%n", s.name(),
                    s.delivered(), s.failed(), s.timedOut(), s.dropped(), s.waiting(), s.filter());
            if (!s.lastProblem().isEmpty()) {
                out.println("                   last problem: " + s.lastProblem());
            }
        }
        problems.forEach((name, p) -> out.printf("  %-16s NOT RUNNING: %s%n", name, p));
    }
}
