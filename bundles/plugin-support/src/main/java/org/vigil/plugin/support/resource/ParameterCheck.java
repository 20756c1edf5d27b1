package org.vigil.plugin.support.resource;

import java.util.Map;
import java.util.function.Function;

import org.vigil.api.resource.OperationResult;

/**
 * A resource type's {@code validate}: the type's own parser decides, and the first wrong parameter it names
 * becomes the "not configured" result. Kept in its own package so that only the resource plug-ins, which
 * import the resource API anyway, embed it.
 */
public final class ParameterCheck {

    /**
     * A handler's configuration as its constructor parsed it: the handler keeps the error to return from
     * every operation rather than fail to be created.
     *
     * @param <C>    the configuration type
     * @param config the configuration, or null when a parameter is wrong
     * @param error  the parser's message naming the wrong parameter, or null
     */
    public record Parsed<C>(C config, String error) {
    }

    private ParameterCheck() {
    }

    /**
     * @param parameters the resource's parameters with defaults filled in
     * @param parser     the type's parser, throwing {@link InvalidParameterException} for a wrong value
     * @param <C>        the configuration type
     * @return the configuration, or the parser's message
     */
    public static <C> Parsed<C> parse(Map<String, String> parameters, Function<Map<String, String>, C> parser) {
        try {
            return new Parsed<>(parser.apply(parameters), null);
        } catch (InvalidParameterException e) {
            return new Parsed<>(null, e.getMessage());
        }
    }

    /**
     * @param parameters the parameters with defaults filled in
     * @param parser     the type's parser, throwing {@link InvalidParameterException} for a wrong value
     * @return ok, or not configured with the parser's message
     */
    public static OperationResult validate(Map<String, String> parameters, Function<Map<String, String>, ?> parser) {
        try {
            parser.apply(parameters);
            return OperationResult.ok();
        } catch (InvalidParameterException e) {
            return OperationResult.notConfigured(e.getMessage());
        }
    }
}
