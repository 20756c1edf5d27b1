package org.vigil.api.fence;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.vigil.api.ParameterDescription;

/**
 * What a kind of fence device is and how to configure it.
 *
 * @param type       the kind's identifier (for example {@code command})
 * @param summary    one line for the admin
 * @param parameters the accepted parameters
 * @param timeout    how long a request may take by default
 */
public record FenceAgentDescription(String type, String summary, List<ParameterDescription> parameters,
        Duration timeout) {

    /** Canonical constructor; copies the parameter list. */
    public FenceAgentDescription {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(summary, "summary");
        parameters = List.copyOf(parameters);
        Objects.requireNonNull(timeout, "timeout");
    }
}
