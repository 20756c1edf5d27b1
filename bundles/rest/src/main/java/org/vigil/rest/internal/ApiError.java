package org.vigil.rest.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request refused before or by the command: the HTTP status, the parameter at fault (null when none) and a
 * message for the admin. Answered as {@code {"error": message, "parameter": name}}.
 */
final class ApiError extends Exception {

    private final int status;
    private final String parameter;

    ApiError(int status, String parameter, String message) {
        super(message);
        this.status = status;
        this.parameter = parameter;
    }

    static ApiError badRequest(String parameter, String message) {
        return new ApiError(400, parameter, message);
    }

    int status() {
        return status;
    }

    String parameter() {
        return parameter;
    }

    Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", getMessage());
        m.put("parameter", parameter);
        return m;
    }
}
