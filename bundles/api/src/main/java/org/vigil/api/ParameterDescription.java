package org.vigil.api;

import java.util.Objects;

/**
 * One parameter a resource type accepts, as shown to the admin by {@code vigil:resource-types} and used
 * by the core to reject unknown or missing parameters before anything starts.
 *
 * @param name         the parameter's name, lower-case with dashes (for example {@code stop-signal})
 * @param description  what it means, in the admin's words
 * @param defaultValue the value used when the admin gives none, or null when there is no default
 * @param required     true when a resource cannot be defined without it
 */
public record ParameterDescription(String name, String description, String defaultValue, boolean required) {

    /** Canonical constructor; name and description must not be null. */
    public ParameterDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("parameter " + name + " is required and cannot have a default");
        }
    }

    /** @param name the name; @param description the meaning; @return a required parameter without a default */
    public static ParameterDescription required(String name, String description) {
        return new ParameterDescription(name, description, null, true);
    }

    /**
     * @param name         the name
     * @param description  the meaning
     * @param defaultValue the default, or null for none
     * @return an optional parameter
     */
    public static ParameterDescription optional(String name, String description, String defaultValue) {
        return new ParameterDescription(name, description, defaultValue, false);
    }
}
