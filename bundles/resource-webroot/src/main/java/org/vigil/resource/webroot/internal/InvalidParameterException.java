package org.vigil.resource.webroot.internal;

/** A parameter value that cannot be used; the message starts with the parameter's name. */
final class InvalidParameterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidParameterException(String parameter, String problem) {
        super(parameter + ": " + problem);
    }
}
