package org.vigil.resource.disk.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.tck.TestResourceContext;

/**
 * Main class of the child JVM in {@link DiskReleaseGuardTest}, standing for a node process: mounts the disk
 * through the agent (core's real process supervisor), starts a program whose working directory is on it (as a
 * service on the disk would be), prints "MOUNTED PID", then waits to be killed (exits on its own after two
 * minutes, should the test fail to kill it).
 */
public final class DiskGuardChild {

    private DiskGuardChild() {
    }

    /** @param args the device, the mount point, the state directory */
    public static void main(String[] args) throws Exception {
        Path mnt = Path.of(args[1]);
        DiskResourceType type = new DiskResourceType();
        TestResourceContext ctx = new TestResourceContext(type.describe(), "shared", "node1",
                Map.of("device", args[0], "mount-point", args[1], "reservation-timeout", "6s"), Path.of(args[2]));
        OperationResult r = type.createHandler(ctx).start(TestResourceContext.op(type.describe().startTimeout()));
        if (!r.isOk()) {
            System.out.println("FAILED " + r);
            System.exit(1);
        }
        SupervisedProcess holder = ctx.processes().start("holder", List.of("sleep", "300"), Map.of(), mnt, null);
        System.out.println("MOUNTED " + holder.pid());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
