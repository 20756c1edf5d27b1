package org.vigil.core.internal.model;

import java.util.regex.Pattern;

/** The one rule for names of nodes, groups, resources and paths, so they are safe in files, frames and shells. */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private Names() {
    }

    /**
     * @param what  what is named (for the message)
     * @param name  the name
     * @throws IllegalArgumentException naming the problem when the name is not valid
     */
    public static void check(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' is not valid: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    /** @param name a name; @return true when valid */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
