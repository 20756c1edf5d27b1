package org.vigil.core.internal.shell;

import java.io.PrintStream;
import java.util.List;
import org.vigil.core.internal.alert.AlertLane;

/** The one line of {@code vigil:status} about alert sinks; {@code vigil:alerts} has the details. */
final class AlertSummary {

    private AlertSummary() {
    }

    static void print(PrintStream out, List<AlertLane.Stats> sinks) {
        if (sinks.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("Alert sinks:");
        for (AlertLane.Stats s : sinks) {
            long lost = s.dropped() + s.timedOut() + s.failed();
            sb.append(' ').append(s.name()).append(' ').append(s.delivered()).append(" delivered")
                    .append(lost == 0 ? "" : " (" + s.failed() + " failed, " + s.timedOut() + " timed out, " + s.dropped()
                            + " dropped)")
                    .append(';');
        }
        out.println();
        out.println(sb.substring(0, sb.length() - 1));
    }
}
