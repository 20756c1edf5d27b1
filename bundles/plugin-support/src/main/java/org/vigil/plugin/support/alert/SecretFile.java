package org.vigil.plugin.support.alert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vigil.plugin.support.SecretFiles;

/**
 * Reads a secret (an SMTP password, a webhook key) from a file, refused unless it passes {@link SecretFiles}' rule
 * (mode 0600 or 0400, owned by the node's user), so a secret never sits in a readable configuration file; the
 * messages name the sink's configuration key.
 */
public final class SecretFile {

    private SecretFile() {
    }

    /**
     * @param key  the configuration key, for the message
     * @param file the file
     * @return what is wrong with the file, naming the key, or null when it is usable
     */
    public static String problem(String key, String file) {
        if (file == null || file.isBlank()) {
            return key + ": required (a file holding the secret, mode 0600 or 0400)";
        }
        Path p = Path.of(file.trim());
        if (!p.isAbsolute()) {
            return key + ": '" + file + "' is not an absolute path";
        }
        String rule = SecretFiles.problem("the file", p); // the one rule: 0600 or 0400, owned by the node's user
        if (rule != null) {
            return key + ": " + rule;
        }
        try {
            if (read(p).isEmpty()) {
                return key + ": " + p + " is empty";
            }
        } catch (IOException e) {
            return key + ": " + p + ": " + e.getMessage();
        }
        return null;
    }

    /**
     * @param key  the configuration key
     * @param file the file
     * @return the secret: the file's first line
     * @throws IllegalArgumentException naming the key when the file is not usable
     */
    public static String read(String key, String file) {
        String problem = problem(key, file);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        try {
            return read(Path.of(file.trim()));
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": " + file + ": " + e.getMessage());
        }
    }

    private static String read(Path p) throws IOException {
        String s = Files.readString(p, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
