package org.vigil.core.internal.alert;

import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.vigil.core.internal.FactoryConfig;

/**
 * One alert sink as the admin configured it: a factory configuration {@code org.vigil.alert}, usually a file
 * {@code etc/org.vigil.alert-<name>.cfg}. Besides the keys below, every other key is a parameter of the sink type.
 */
@Component(service = AlertConfiguration.class, configurationPid = "org.vigil.alert",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = AlertConfiguration.Config.class, factory = true)
public class AlertConfiguration extends FactoryConfig {

    /** The sink's schema; the sink type's parameters come on top. */
    @ObjectClassDefinition(name = "Vigil alert sink",
            description = "One alert sink: its type, which events it receives, how long a delivery may take")
    public @interface Config {
        /** @return the sink type */
        @AttributeDefinition(description = "The sink type: mail, webhook, syslog or command (features vigil-alert-<type>)")
        String type();

        /** @return the least severity */
        @AttributeDefinition(name = "min-severity", description = "The least severity delivered: info, warning or critical")
        String min$_$severity() default "info";

        /** @return the kinds */
        @AttributeDefinition(description = "The event kinds delivered, comma-separated (node-lost, group-failover, ...); "
                + "empty: every kind")
        String kinds() default "";

        /** @return the timeout */
        @AttributeDefinition(description = "Seconds one delivery may take before it is abandoned and counted (1 to 300)")
        int timeout() default 10;

        /** @return the queue */
        @AttributeDefinition(description = "Events that may wait for this sink; more are dropped and counted (1 to 10000)")
        int queue() default 100;
    }

    /** The keys the core reads; every other key is the sink type's. */
    static final Set<String> CORE_KEYS = Set.of("name", "type", "min-severity", "kinds", "timeout", "queue");

    private final AlertFilter filter;
    private final String problem;

    /** @param props the configuration */
    @Activate
    public AlertConfiguration(Map<String, Object> props) {
        super(props, "org.vigil.alert", CORE_KEYS);
        AlertFilter f = AlertFilter.DEFAULT;
        String p = null;
        try {
            f = AlertFilter.parse(props, "min-severity", "kinds", "timeout", "queue");
        } catch (IllegalArgumentException e) {
            p = e.getMessage();
        }
        if (type().isEmpty()) {
            p = "type: missing (mail, webhook, syslog or command)";
        }
        this.filter = f;
        this.problem = p;
    }

    /** @return what it receives and its limits */
    public AlertFilter filter() {
        return filter;
    }

    /** @return what is wrong with the configuration, naming the key, or null */
    public String problem() {
        return problem;
    }
}
