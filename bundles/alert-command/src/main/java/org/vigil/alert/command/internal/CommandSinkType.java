package org.vigil.alert.command.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.AlertSinkType;

/**
 * Alert sink type {@code command}: runs an alert script for each event with the environment of a Pacemaker alert
 * agent ({@code CRM_alert_kind}, {@code CRM_alert_node}, {@code CRM_alert_rsc}, ...), so existing alert scripts
 * work. Runs without a shell, with a clean environment (PATH and the alert variables); exit 0 is a delivery.
 */
@Component(service = AlertSinkType.class)
public class CommandSinkType implements AlertSinkType {

    static final String PATH = "path";
    static final String RECIPIENT = "recipient";

    @Override
    public String type() {
        return "command";
    }

    @Override
    public String description() {
        return "runs an alert script with the Pacemaker alert agent variables (CRM_alert_kind, CRM_alert_node, ...)";
    }

    @Override
    public List<String> validate(Map<String, String> p) {
        List<String> problems = new ArrayList<>();
        String path = p.getOrDefault(PATH, "").trim();
        if (path.isEmpty()) {
            problems.add(PATH + ": required (the alert script, e.g. /usr/share/pacemaker/alerts/alert_file.sh.sample copied "
                    + "and made executable)");
        } else if (!path.startsWith("/")) {
            problems.add(PATH + ": '" + path + "' is not an absolute path");
        } else if (!Files.isRegularFile(Path.of(path)) || !Files.isExecutable(Path.of(path))) {
            problems.add(PATH + ": " + path + " is not an executable file");
        }
        return problems;
    }

    @Override
    public AlertSink create(String name, Map<String, String> p) {
        return new CommandSink(name, Path.of(p.get(PATH).trim()), p.getOrDefault(RECIPIENT, ""));
    }
}
