package org.vigil.plugin.support.resource;

/** A parameter value that cannot be used; the message starts with the parameter's name. */
public final class InvalidParameterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * @param parameter the parameter's name
     * @param problem   what is wrong with its value
     */
    public InvalidParameterException(String parameter, String problem) {
        super(parameter + ": " + problem);
    }
}
