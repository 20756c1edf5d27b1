package org.vigil.systemtest;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What the system tests need on the machine. Missing locally: the tests are skipped with the reason. Missing
 * on CI ({@code CI=true}): they fail, so a broken CI machine never passes by running nothing.
 */
final class Prerequisites {

    private Prerequisites() {
    }

    /** @return the distribution tar.gz, after checking everything the tests need */
    static Path require() {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            missing.add("/proc (the tests watch processes through it: Linux only)");
        }
        for (String tool : List.of("python3", "ssh-keygen", "setsid", "timeout", "tar", "java")) {
            if (onPath(tool) == null) {
                missing.add(tool + " on the PATH");
            }
        }
        // vigil.system.distribution (mvn -Dvigil.system.distribution=...) tests another build than the reactor's
        String dist = System.getProperty("vigil.system.distribution", "");
        if (dist.isBlank()) {
            dist = System.getProperty("vigil.distribution", "");
        }
        if (dist.isBlank() || dist.startsWith("${") || !Files.isRegularFile(Path.of(dist))) {
            missing.add("the built distribution (system property vigil.distribution='" + dist
                    + "'; build it with mvn -B -q install -DskipTests)");
        }
        Path lab = scripts().resolve("vigil-lab");
        if (!Files.isExecutable(lab)) {
            missing.add("the executable " + lab);
        }
        if (!missing.isEmpty()) {
            String reason = "system test prerequisites missing: " + String.join("; ", missing);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(reason + " (CI=true: failing rather than skipping)");
            }
            Assumptions.abort(reason);
        }
        return Path.of(dist);
    }

    /**
     * Checks what one system test needs beyond {@link #require()}: root (for {@code rootFor}), each of
     * {@code tools} (on the PATH, in /usr/sbin or /sbin), plus what the test found missing itself
     * ({@code alsoMissing}). Missing locally: the test is skipped, naming {@code test}, what is missing and
     * {@code packages} (where to get it); on CI ({@code CI=true}) it fails.
     */
    static void requireTools(String test, String rootFor, List<String> tools, List<String> alsoMissing,
            String packages) {
        List<String> missing = new ArrayList<>();
        if (!"0".equals(Sh.run("id", "-u").output().strip())) {
            missing.add("root (" + rootFor + ")");
        }
        for (String tool : tools) {
            if (!Sh.run("sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool + " || test -x /sbin/" + tool)
                    .ok()) {
                missing.add(tool);
            }
        }
        missing.addAll(alsoMissing);
        if (missing.isEmpty()) {
            return;
        }
        String reason = test + " needs " + String.join(", ", missing) + " (" + packages + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (CI=true: failing rather than skipping)");
        }
        Assumptions.abort(reason);
    }

    static Path scripts() {
        return Path.of(System.getProperty("vigil.scripts", "../../scripts")).toAbsolutePath().normalize();
    }

    static Path labsDir() {
        return Path.of(System.getProperty("vigil.system.dir", "target/labs")).toAbsolutePath().normalize();
    }

    static int intProperty(String name, int def) {
        String v = System.getProperty(name, "");
        return v.isBlank() || v.startsWith("${") ? def : Integer.parseInt(v.trim());
    }

    private static Path onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
