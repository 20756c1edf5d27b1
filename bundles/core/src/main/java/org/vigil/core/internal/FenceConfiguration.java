package org.vigil.core.internal;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One fence device as the admin configured it: a factory configuration {@code org.vigil.fence}, usually a
 * file {@code etc/org.vigil.fence-<name>.cfg}. Besides the keys below, every other key is a parameter of
 * the device's fence agent (see {@code vigil:fence-types}).
 */
@Component(service = FenceConfiguration.class, configurationPid = "org.vigil.fence",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = FenceConfiguration.Config.class, factory = true)
public class FenceConfiguration extends FactoryConfig {

    /** The device's schema; agent parameters come on top. */
    @ObjectClassDefinition(name = "Vigil fence device",
            description = "One fence device: which agent, which nodes it fences, at which level")
    public @interface Config {
        /** @return the agent type */
        @AttributeDefinition(description = "The fence agent: command (feature vigil-fence-command), ...")
        String type();

        /** @return the nodes it fences */
        @AttributeDefinition(description = "The nodes this device fences, comma-separated")
        String nodes();

        /** @return the level */
        @AttributeDefinition(description = "Level: lower levels are tried first; every device of a level must succeed")
        int level() default 1;
    }

    /** The keys the core reads; every other key is the agent's. */
    private static final Set<String> CORE_KEYS = Set.of("name", "type", "nodes", "level");

    private final Set<String> nodes;
    private final int level;
    private final String problem;

    /** @param props the configuration */
    @Activate
    public FenceConfiguration(Map<String, Object> props) {
        super(props, "org.vigil.fence", CORE_KEYS);
        Set<String> ns = new LinkedHashSet<>();
        String p = null;
        for (String s : String.valueOf(props.getOrDefault("nodes", "")).split("[,\\s]+")) {
            if (!s.isEmpty()) {
                if (!org.vigil.core.internal.model.Names.isValid(s)) {
                    p = "nodes: '" + s + "' is not a node name";
                }
                ns.add(s);
            }
        }
        int lv = 1;
        Object l = props.get("level");
        if (l != null) {
            try {
                lv = Integer.parseInt(l.toString().trim());
            } catch (NumberFormatException e) {
                p = "level: '" + l + "' is not a number";
            }
        }
        if (type().isEmpty()) {
            p = "type: missing (the fence agent, for example command)";
        } else if (ns.isEmpty() && p == null) {
            p = "nodes: missing (the nodes this device fences)";
        }
        this.nodes = Set.copyOf(ns);
        this.level = lv;
        this.problem = p;
    }

    /** @return the nodes it fences */
    public Set<String> nodes() {
        return nodes;
    }

    /** @return its level */
    public int level() {
        return level;
    }

    /** @return what is wrong with the configuration, naming the key, or null */
    public String problem() {
        return problem;
    }
}
