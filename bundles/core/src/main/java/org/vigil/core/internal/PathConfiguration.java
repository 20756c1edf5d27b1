package org.vigil.core.internal;

import java.util.Map;
import java.util.TreeMap;
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

    private static final java.util.regex.Pattern TRANSPORT_PARAMETER = java.util.regex.Pattern.compile("[a-z][a-z0-9-]*");

    private String name;
    private String type;
    private Map<String, String> params;
    private String pid;

    /** @param props the configuration */
    @Activate
    public PathConfiguration(Map<String, Object> props) {
        Object n = props.get("name");
        Object t = props.get("type");
        this.name = n == null ? "" : n.toString().trim();
        this.type = t == null ? "" : t.toString().trim();
        this.pid = String.valueOf(props.get("service.pid"));
        Map<String, String> p = new TreeMap<>();
        // Transport parameters are lower-case words with dashes; everything the framework adds to a
        // component's properties (service.pid, component.name, felix.fileinstall.filename,
        // osgi.ds.satisfying.condition.target, objectClass, ...) has dots or capitals and is not one.
        props.forEach((k, v) -> {
            if (!k.equals("name") && !k.equals("type") && TRANSPORT_PARAMETER.matcher(k).matches() && v != null) {
                p.put(k, v.toString().trim());
            }
        });
        this.params = Map.copyOf(p);
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
