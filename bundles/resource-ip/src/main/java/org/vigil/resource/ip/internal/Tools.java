package org.vigil.resource.ip.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the programs the agent runs, and reads and writes the few per-interface kernel settings it needs.
 * The node may run with a short PATH (a service manager's), so the sbin directories are searched too.
 */
final class Tools {

    private static final String FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String path;

    /** @param path the directories to search, ':'-separated, or null for the node's PATH plus the usual ones */
    Tools(String path) {
        this.path = path;
    }

    /** @param name a program name; @return its absolute path, if it is installed */
    Optional<String> find(String name) {
        Set<String> dirs = new LinkedHashSet<>();
        String search = path != null ? path : System.getenv().getOrDefault("PATH", "") + ":" + FALLBACK_PATH;
        for (String d : search.split(":")) {
            if (!d.isEmpty()) {
                dirs.add(d);
            }
        }
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    /**
     * Sets a per-interface kernel setting to 1 unless it already is (for example
     * {@code net/ipv4/conf/eth0/promote_secondaries}). {@code /proc/sys/net} shows the namespace of the
     * JVM, so this is the node's own setting.
     *
     * @param key the path below /proc/sys
     * @return empty when it is (now) 1, otherwise why it could not be set
     */
    static Optional<String> enable(String key) {
        Path file = Path.of("/proc/sys").resolve(key);
        try {
            if (Files.readString(file, StandardCharsets.US_ASCII).strip().equals("1")) {
                return Optional.empty();
            }
            Files.writeString(file, "1\n", StandardCharsets.US_ASCII);
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("cannot write 1 to /proc/sys/" + key + ": " + e.getMessage());
        }
    }
}
