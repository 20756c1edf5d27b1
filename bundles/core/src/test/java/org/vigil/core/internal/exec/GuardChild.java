package org.vigil.core.internal.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.vigil.api.resource.ProcessSupervisor;

/**
 * Main class of the child JVM in {@link ReleaseGuardsTest}: declares release actions through a
 * {@link ProcessRegistry} (run directory {@code DIR/run}), each appending a line to {@code DIR/released}
 * after {@code DELAY_MS}, prints "GUARDED", then either waits to be killed ({@code wait}) or stops cleanly
 * as a node does ({@code clean}: the agent withdraws one guard as its stop would, the core's close withdraws
 * the other) and exits. Exits on its own after two minutes, should the test fail to kill it.
 */
public final class GuardChild {

    private GuardChild() {
    }

    /** @param args the work directory, {@code wait} or {@code clean}, the action's delay in milliseconds */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ProcessRegistry registry = new ProcessRegistry(dir.resolve("run"));
        ProcessSupervisor s = registry.supervisorFor("r1", dir.resolve("state"));
        String action = "sleep " + (Long.parseLong(args[2]) / 1000.0) + "; echo \"released $1\" >> \"$0\"";
        s.guard("addr", List.of("/bin/sh", "-c", action, dir.resolve("released").toString(), "addr"),
                Duration.ofSeconds(10));
        s.guard("mount", List.of("/bin/sh", "-c", action, dir.resolve("released").toString(), "mount"),
                Duration.ofSeconds(10));
        System.out.println("GUARDED");
        System.out.flush();
        if (args[1].equals("clean")) {
            s.withdrawGuard("addr");
            registry.close();
            System.exit(0);
        }
        Thread.sleep(120_000);
    }
}
