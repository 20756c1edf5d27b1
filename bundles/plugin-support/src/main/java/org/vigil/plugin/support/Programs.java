package org.vigil.plugin.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finding the program a resource runs (servers live in /usr/sbin, which a service's PATH does not always hold). */
public final class Programs {

    /** The sbin and bin directories searched after PATH. */
    public static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Programs() {
    }

    /**
     * @param program an absolute path, or a name looked up in PATH and then {@link #SYSTEM_PATH}
     * @return the executable's absolute path, or null when there is none
     */
    public static Path resolve(String program) {
        if (program.startsWith("/")) {
            Path p = Path.of(program);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
        }
        if (program.isEmpty() || program.contains("/")) {
            return null;
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":" + SYSTEM_PATH;
        for (String dir : path.split(":")) {
            if (dir.startsWith("/")) {
                Path p = Path.of(dir, program);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }
}
