package org.vigil.core.internal.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vigil.api.resource.SupervisedProcess;

/**
 * Main class of the child JVM in {@link ProcessRegistryTest#programsDieWithTheJvmEvenOnKill9}: starts a
 * program with a grandchild through a {@link ProcessRegistry}, prints the program's pid, then waits to be
 * killed (and exits on its own after two minutes, should the test fail to kill it).
 */
public final class LifelineChild {

    private LifelineChild() {
    }

    /** @param args the work directory */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ProcessRegistry registry = new ProcessRegistry(dir);
        SupervisedProcess p = registry.supervisorFor("r1", dir).start("main",
                List.of("/bin/sh", "-c", "sleep 301 & echo $! > grandchild.pid; exec sleep 300"),
                Map.of(), dir, dir.resolve("out.log"));
        // Printed only once the grandchild is known, so the test reads both at once.
        for (int i = 0; i < 200 && !Files.exists(dir.resolve("grandchild.pid")); i++) {
            Thread.sleep(50);
        }
        System.out.println("PID " + p.pid());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
