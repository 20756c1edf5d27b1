package org.vigil.api.alert;

import java.util.List;
import java.util.Map;

/**
 * A kind of alert sink (mail, webhook, syslog, command), registered as an OSGi service. The admin configures
 * each sink instance with a factory configuration {@code org.vigil.alert} (a file
 * {@code etc/org.vigil.alert-<name>.cfg}) whose {@code type} names this sink type; the core validates the
 * parameters, creates the sink and delivers to it on a thread of its own with a timeout and a bounded queue, after
 * the instance's filters (minimum severity, kinds). The keys the core reads itself ({@code type},
 * {@code min-severity}, {@code kinds}, {@code timeout}, {@code queue}) are not passed to the sink type.
 */
public interface AlertSinkType {

    /** @return the name used in {@code type = ...} of a sink configuration, for example {@code mail} */
    String type();

    /** @return one sentence for the admin: what this sink type does */
    String description();

    /**
     * Checks a sink configuration without side effects.
     *
     * @param params the sink's parameters (every key of its configuration but those the core reads)
     * @return the problems, each naming the key that is wrong; empty when the configuration is usable
     */
    List<String> validate(Map<String, String> params);

    /**
     * Creates a sink instance; called only with parameters {@link #validate} accepted. The sink must not start
     * threads of its own: the core calls {@link AlertSink#deliver} on the instance's own thread.
     *
     * @param name   the instance's name (the {@code <name>} of its configuration file)
     * @param params the sink's parameters
     * @return the sink
     * @throws Exception when the sink cannot be created (for example a secret file that cannot be read); the core
     *                   shows the message as the instance's problem
     */
    AlertSink create(String name, Map<String, String> params) throws Exception;
}
