package org.vigil.core.internal.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One resource as the admin defined it: a name unique in the cluster, its type and the parameters
 * the admin set (defaults are not stored, so a newer agent's better default applies).
 *
 * @param name   the resource's name
 * @param type   the resource type's identifier
 * @param params the parameters the admin set
 */
public record ResourceDef(String name, String type, Map<String, String> params) {

    /** Canonical constructor; copies the parameters, keeping their order. */
    public ResourceDef {
        Names.check("resource", name);
        Objects.requireNonNull(type, "type");
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("type", type);
        m.put("params", params);
        return m;
    }
}
