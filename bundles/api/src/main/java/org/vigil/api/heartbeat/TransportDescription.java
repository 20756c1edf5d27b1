package org.vigil.api.heartbeat;

import java.util.List;
import java.util.Objects;
import org.vigil.api.ParameterDescription;

/**
 * What a kind of heartbeat path is and how to configure it.
 *
 * @param type       the kind's identifier, used as {@code type} in a path configuration (for example {@code udp})
 * @param summary    one line for the admin
 * @param parameters the accepted parameters, in the order to show them
 */
public record TransportDescription(String type, String summary, List<ParameterDescription> parameters) {

    /** Canonical constructor; copies the parameter list. */
    public TransportDescription {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(summary, "summary");
        parameters = List.copyOf(parameters);
    }
}
