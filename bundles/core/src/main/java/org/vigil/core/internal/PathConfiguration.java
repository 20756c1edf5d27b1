package org.vigil.core.internal;

import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One heartbeat path as the admin configured it: a factory configuration {@code org.vigil.path}, usually
 * a file {@code etc/org.vigil.path-<name>.cfg}. Besides {@code name} and {@code type}, every other key
 * is a parameter of the path's transport (see {@code vigil:path-types}).
 */
@Component(service = PathConfiguration.class, configurationPid = "org.vigil.path",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PathConfiguration.Config.class, factory = true)
public class PathConfiguration {

    /** The path's schema; transport parameters come on top. */
    @ObjectClassDefinition(name = "Vigil heartbeat path",
            description = "One heartbeat path of this node. Use the same name for the same network on every node.")
    public @interface Config {
        /** @return the path's name */
        @AttributeDefinition(description = "The path's name, the same on every node (for example lan, private, serial)")
        String name();

        /** @return the transport kind */
        @AttributeDefinition(description = "The kind of transport: udp, tcp, serial, disk (see vigil:path-types)")
        String type();
    }

    private String name;
    private String type;
    private Map<String, String> params;
    private String pid;

    /** @param props the configuration */
    @Activate
    public PathConfiguration(Map<String, Object> props) {
        this.name = FactoryConfig.text(props, "name");
        this.type = FactoryConfig.text(props, "type");
        this.pid = String.valueOf(props.get("service.pid"));
        this.params = FactoryConfig.pluginParameters(props, Set.of("name", "type"));
    }

    /** @return the path's name ("" when the admin forgot it) */
    public String name() {
        return name;
    }

    /** @return the transport kind ("" when missing) */
    public String type() {
        return type;
    }

    /** @return the transport parameters */
    public Map<String, String> params() {
        return params;
    }

    /** @return the configuration's PID, to name it in errors */
    public String pid() {
        return pid;
    }
}
