package org.vigil.resource.disk.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.tck.TestResourceContext;

/** One node's view of a disk resource in tests: a handler with its own node name, context and mount point. */
final class TwoNodes {

    private static final AtomicInteger UNIQUE = new AtomicInteger();

    private TwoNodes() {
    }

    /** A disk resource as seen from one node. */
    static final class Node implements AutoCloseable {

        private static final DiskResourceType TYPE = new DiskResourceType();

        final String name;
        final Path mountPoint;
        private final TestResourceContext context;

        /** @param proof a proof this node's core now gives that another node stopped the group */
        void knowsStopped(org.vigil.api.resource.StopProof proof) {
            context.provenStopped(proof);
        }

        /** @param other a node this node's core now knows to be fenced */
        void knowsFenced(String other) {
            context.fenced(other);
        }

        Node(String name, LoopDisk disk, Path stateDir, Map<String, String> extra) {
            this.name = name;
            this.mountPoint = disk.dir().resolve("mnt-" + name + "-" + UNIQUE.incrementAndGet());
            Map<String, String> params = new LinkedHashMap<>();
            params.put("device", disk.device().toString());
            params.put("mount-point", mountPoint.toString());
            params.putAll(extra);
            this.context = new TestResourceContext(TYPE.describe(), "shared", name, params, stateDir.resolve(name));
        }

        ResourceHandler handler() {
            return TYPE.createHandler(context);
        }

        OperationResult start() {
            return handler().start(TestResourceContext.op(TYPE.describe().startTimeout()));
        }

        OperationResult start(Duration budget) {
            return handler().start(TestResourceContext.op(budget));
        }

        OperationResult stop() {
            return handler().stop(TestResourceContext.op(TYPE.describe().stopTimeout()));
        }

        OperationResult monitor() {
            return handler().monitor(TestResourceContext.op(TYPE.describe().monitorTimeout()));
        }

        OperationResult stop(Duration budget) {
            return handler().stop(TestResourceContext.op(budget));
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
