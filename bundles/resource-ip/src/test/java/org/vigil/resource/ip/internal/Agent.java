package org.vigil.resource.ip.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.tck.TestResourceContext;

/**
 * One ip resource driven as the core drives it: the type's defaults filled in, each operation with the
 * type's own timeout, the core's real command runner and process supervisor. Each operation uses a fresh
 * handler over the same state, as after a bundle update.
 */
final class Agent implements AutoCloseable {

    private static final ResourceTypeDescription TYPE = new IpResourceType().describe();

    private final TestResourceContext context;
    private final Tools tools;
    private final Duration dnsRetry;
    private IpHandler handler;

    Agent(String name, Map<String, String> parameters, Path stateDir) {
        this(name, parameters, stateDir, new Tools(null), IpResourceType.DNS_RETRY);
    }

    Agent(String name, Map<String, String> parameters, Path stateDir, Tools tools, Duration dnsRetry) {
        this.context = new TestResourceContext(TYPE, name, "node-a", parameters, stateDir.resolve(name));
        this.tools = tools;
        this.dnsRetry = dnsRetry;
        this.handler = newHandler();
    }

    private IpHandler newHandler() {
        return new IpHandler(context, tools, dnsRetry);
    }

    OperationResult start() {
        return start(TYPE.startTimeout());
    }

    /** @param timeout the start's budget, instead of the type's start timeout */
    OperationResult start(Duration timeout) {
        return handler.start(TestResourceContext.op(timeout));
    }

    /** Starts as the core starts a planned hand-over (a switchover whose old holder reported its stop). */
    OperationResult startPlannedHandover() {
        OperationContext op = TestResourceContext.op(TYPE.startTimeout());
        return handler.start(new OperationContext() {
            @Override
            public Duration timeout() {
                return op.timeout();
            }

            @Override
            public Duration remaining() {
                return op.remaining();
            }

            @Override
            public boolean isCancelled() {
                return op.isCancelled();
            }

            @Override
            public boolean isPlannedHandover() {
                return true;
            }
        });
    }

    OperationResult stop() {
        return handler.stop(TestResourceContext.op(TYPE.stopTimeout()));
    }

    /** Monitors through the same handler (it remembers when it last tried DNS), as the core does. */
    OperationResult monitor() {
        return handler.monitor(TestResourceContext.op(TYPE.monitorTimeout()));
    }

    /** Replaces the handler, as the core does after the type's bundle was updated. */
    void renewHandler() {
        handler = newHandler();
    }

    /** Stops the resource (best effort) and kills whatever the supervisor still runs for it. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            context.close();
        }
    }
}
