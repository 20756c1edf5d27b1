package org.vigil.plugin.support.heartbeat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.vigil.api.heartbeat.PathContext;

/**
 * What a transport's parser makes of a path's parameters, and the two ways a transport factory uses it:
 * {@code validate}, which must never throw, and {@code open}, which refuses a path with wrong parameters
 * and reports it down. Kept in its own package so that only the heartbeat plug-ins embed it.
 *
 * @param <C>      the transport's configuration type
 * @param config   the configuration, or null when a parameter is wrong
 * @param problems one message per wrong parameter, each naming it; empty when {@code config} is set
 */
public record PathParameters<C>(C config, List<String> problems) {

    /** Canonical constructor; copies the problems. */
    public PathParameters {
        problems = List.copyOf(problems);
    }

    /** @param config a valid configuration; @param <C> its type; @return parameters without problems */
    public static <C> PathParameters<C> valid(C config) {
        return new PathParameters<>(config, List.of());
    }

    /** @param problems what is wrong; @param <C> the configuration type; @return parameters that are invalid */
    public static <C> PathParameters<C> invalid(List<String> problems) {
        return new PathParameters<>(null, problems);
    }

    /**
     * @param parameters the path's parameters with defaults filled in
     * @param parser     the transport's parser
     * @param <C>        the configuration type
     * @return one message per problem; a bug in the parser becomes a problem too, never an exception
     */
    public static <C> List<String> validate(Map<String, String> parameters,
            Function<Map<String, String>, PathParameters<C>> parser) {
        return parse(parameters, parser).problems();
    }

    /**
     * @param context the path being opened
     * @param parser  the transport's parser
     * @param <C>     the configuration type
     * @return the configuration of a valid path
     * @throws IOException naming every problem, after reporting the path down with the same reason
     */
    public static <C> C require(PathContext context, Function<Map<String, String>, PathParameters<C>> parser)
            throws IOException {
        PathParameters<C> parsed = parse(context.parameters(), parser);
        if (parsed.config() == null) {
            String reason = "invalid parameters: " + String.join("; ", parsed.problems());
            context.localLinkState(false, reason);
            throw new IOException(reason);
        }
        return parsed.config();
    }

    /**
     * @param parameters the path's parameters
     * @param name       a parameter's name
     * @return its value without surrounding blanks, or null when it is absent or blank
     */
    public static String value(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.strip();
    }

    /**
     * An integer parameter within bounds.
     *
     * @param parameters the path's parameters
     * @param name       the parameter's name
     * @param fallback   the value when it is absent or blank, or wrong
     * @param min        the smallest value allowed
     * @param max        the largest value allowed
     * @param problems   where a wrong value is reported, naming the parameter and the bounds
     * @return the value, or {@code fallback}
     */
    public static int number(Map<String, String> parameters, String name, int fallback, int min, int max,
            List<String> problems) {
        String text = value(parameters, name);
        if (text == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + ": '" + text + "' is not a number from " + min + " to " + max);
        return fallback;
    }

    private static <C> PathParameters<C> parse(Map<String, String> parameters,
            Function<Map<String, String>, PathParameters<C>> parser) {
        try {
            return parser.apply(parameters);
        } catch (RuntimeException e) {
            return invalid(List.of("parameters could not be checked: " + e));
        }
    }
}
