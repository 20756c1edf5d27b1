package org.vigil.api.resource;

import java.time.Duration;
import org.vigil.api.ParameterDescription;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a resource type is and how to configure it: its parameters and its default operation timeouts.
 *
 * @param type            the type's identifier, used in resource definitions (for example {@code process})
 * @param summary         one line for the admin
 * @param parameters      the accepted parameters, in the order to show them
 * @param startTimeout    how long {@code start} may take before the core counts it as failed
 * @param stopTimeout     how long {@code stop} may take before the core counts it as a failed stop
 * @param monitorTimeout  how long {@code monitor} may take before the core counts it as failed
 * @param monitorInterval how often the core monitors a running resource
 */
public record ResourceTypeDescription(String type, String summary, List<ParameterDescription> parameters,
        Duration startTimeout, Duration stopTimeout, Duration monitorTimeout, Duration monitorInterval) {

    /** Canonical constructor; copies the parameter list and rejects duplicate parameter names. */
    public ResourceTypeDescription {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(summary, "summary");
        parameters = List.copyOf(parameters);
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(monitorTimeout, "monitorTimeout");
        Objects.requireNonNull(monitorInterval, "monitorInterval");
        Map<String, ParameterDescription> seen = new LinkedHashMap<>();
        for (ParameterDescription p : parameters) {
            if (seen.put(p.name(), p) != null) {
                throw new IllegalArgumentException("duplicate parameter " + p.name() + " in type " + type);
            }
        }
    }

    /** @param name a parameter name; @return its description, if this type has such a parameter */
    public Optional<ParameterDescription> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
