package org.vigil.resource.disk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.resource.disk.internal.ReservationRecord.Valid;
import org.vigil.tck.TestResourceContext;

/**
 * A lease lapse runs the release guard's unmount just before the ordered stop: the stop may find the file system
 * mounted, then its own {@code umount} answers "not mounted". That is a stopped disk (released), not a failed stop
 * (which would block the group everywhere). Real loop device; the race is made certain by unmounting right before
 * the agent's own umount runs.
 */
@ExtendWith(ClassDisk.class)
class DiskStopRaceTest {

    private static final DiskResourceType TYPE = new DiskResourceType();
    @ClassDisk.Shared
    private static LoopDisk disk;

    @TempDir
    Path stateDir;

    @Test
    void aStopWhoseUnmountFindsItAlreadyUnmountedByTheReleaseGuardSucceedsAndReleases() throws IOException {
        Path point = disk.dir().resolve("mnt-race");
        TestResourceContext real = new TestResourceContext(TYPE.describe(), "shared", "node1", Map.of("device",
                disk.device().toString(), "mount-point", point.toString()), stateDir.resolve("node1"));
        try {
            ResourceHandler h = TYPE.createHandler(new GuardWinsTheRace(real));
            assertThat(h.start(TestResourceContext.op(TYPE.describe().startTimeout()))).matches(OperationResult::isOk,
                    "start");
            assertThat(disk.mountPoints()).containsExactly(point.toString());

            OperationResult stopped = h.stop(TestResourceContext.op(TYPE.describe().stopTimeout()));
            assertThat(stopped).as("stop after the guard unmounted first: %s", stopped).matches(OperationResult::isOk);
            assertThat(disk.mountPoints()).isEmpty();
            assertThat(disk.reservation()).isInstanceOfSatisfying(Valid.class,
                    v -> assertThat(v.record().held()).as("released").isFalse());
        } finally {
            real.close();
            disk.unmountAll();
        }
    }

    @Test
    void aReleaseActionThatFindsNothingMountedEndsAndLeavesTheNextMountAlone() throws Exception {
        Path point = disk.dir().resolve("mnt-guard");
        TestResourceContext ctx = new TestResourceContext(TYPE.describe(), "shared", "node1", Map.of("device",
                disk.device().toString(), "mount-point", point.toString()), stateDir.resolve("node1"));
        Process action = null;
        try {
            ResourceHandler h = TYPE.createHandler(ctx);
            assertThat(h.start(TestResourceContext.op(TYPE.describe().startTimeout()))).matches(OperationResult::isOk);
            // the lease lapsed: the fast stop runs the release action while the ordered stop unmounts too
            assertThat(h.stop(TestResourceContext.op(TYPE.describe().stopTimeout()))).matches(OperationResult::isOk);
            action = new ProcessBuilder("/bin/sh", "-c", DiskHandler.UNMOUNT_ON_DEATH, "vigil-umount",
                    point.toRealPath().toString()).redirectErrorStream(true).start();
            // quorum is back: the group starts again here, the disk is mounted again
            assertThat(h.start(TestResourceContext.op(TYPE.describe().startTimeout()))).matches(OperationResult::isOk);
            assertThat(action.waitFor(5, TimeUnit.SECONDS)).as("the release action ended").isTrue();
            Thread.sleep(500);
            assertThat(disk.mountPoints()).as("the new mount is left alone").containsExactly(point.toString());
        } finally {
            if (action != null) {
                action.destroyForcibly();
            }
            ctx.close();
            disk.unmountAll();
        }
    }

    /** The context of the agent, whose every {@code umount} is preceded by the release guard's own, as in the race. */
    private record GuardWinsTheRace(TestResourceContext real) implements ResourceContext {
        @Override
        public CommandResult run(List<String> command, Duration timeout) {
            if (command.get(0).equals("umount")) {
                real.run(command, timeout);
            }
            return real.run(command, timeout);
        }

        @Override
        public String resourceName() {
            return real.resourceName();
        }

        @Override
        public String groupName() {
            return real.groupName();
        }

        @Override
        public String nodeName() {
            return real.nodeName();
        }

        @Override
        public Map<String, String> parameters() {
            return real.parameters();
        }

        @Override
        public Path stateDirectory() {
            return real.stateDirectory();
        }

        @Override
        public ProcessSupervisor processes() {
            return real.processes();
        }
    }
}
