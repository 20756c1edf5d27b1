package org.vigil.core.internal.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds an executable the way {@code execvp} would, so a missing program fails its start, not its log. */
final class Executables {

    private Executables() {
    }

    /**
     * @param command    the first element of an argument vector
     * @param path       the {@code PATH} the program will see, or null
     * @param workingDir the directory a relative path with a slash is resolved against
     * @throws IOException when no executable file of that name is found
     */
    static void require(String command, String path, Path workingDir) throws IOException {
        if (command.isEmpty()) {
            throw new IOException("empty program name");
        }
        if (command.indexOf('/') >= 0) {
            Path file = workingDir.resolve(command);
            if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
                throw new IOException("cannot run program \"" + command + "\": not an executable file");
            }
            return;
        }
        // execvp's default search path when PATH is unset
        String search = path == null ? "/bin:/usr/bin" : path;
        for (String dir : search.split(":", -1)) {
            Path file = (dir.isEmpty() ? workingDir : workingDir.resolve(dir)).resolve(command);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return;
            }
        }
        throw new IOException("cannot run program \"" + command + "\": not found in PATH " + search);
    }
}
