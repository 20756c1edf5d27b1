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

    private ParameterCheck() {
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
