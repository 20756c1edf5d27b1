package org.vigil.core.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;

/**
 * The "real world" of the in-process cluster tests: which node runs which fake resource. Every start
 * checks that no other live node runs the same resource, so a double start is recorded as a violation.
 */
final class World {

    final Map<String, String> runningOn = new ConcurrentHashMap<>();
    final Set<String> crashed = ConcurrentHashMap.newKeySet();
    final Set<String> deadNodes = ConcurrentHashMap.newKeySet();
    final Set<String> stopFails = ConcurrentHashMap.newKeySet();
    /** "node/resource" -> the message its start fails with (as a program's output would make it). */
    final Map<String, String> startFails = new ConcurrentHashMap<>();
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    /** Each start and stop with the handler's {@code note} parameter: "node1 stop app note=a". */
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    /** At each start, "node/resource" -> the other nodes its context said were fenced (ResourceContext.isFenced). */
    final Map<String, List<String>> fencedAtStart = new ConcurrentHashMap<>();
    /** At each start, "node/resource" -> "other KIND" for each node its context proved stopped (ResourceContext.stopProof). */
    final Map<String, List<String>> stopProofsAtStart = new ConcurrentHashMap<>();

    /** A node loses power: its resources are gone and it does nothing any more. */
    void powerOff(String node) {
        deadNodes.add(node);
        runningOn.values().removeIf(node::equals);
    }

    /** A resource dies on its own (its next monitor on the node that ran it fails). */
    void crashResource(String r) {
        String node = runningOn.remove(r);
        if (node != null) {
            crashed.add(node + "/" + r);
        }
    }

    List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    ResourceType type() {
        return new ResourceType() {
            @Override
            public ResourceTypeDescription describe() {
                return new ResourceTypeDescription("fake", "a resource that only exists in the test's world",
                        List.of(ParameterDescription.optional("note", "free text", "")), Duration.ofSeconds(2),
                        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(100));
            }

            @Override
            public OperationResult validate(Map<String, String> parameters) {
                return OperationResult.ok();
            }

            @Override
            public ResourceHandler createHandler(ResourceContext ctx) {
                String node = ctx.nodeName();
                String r = ctx.resourceName();
                return new ResourceHandler() {
                    @Override
                    public OperationResult start(OperationContext op) {
                        if (deadNodes.contains(node)) {
                            return OperationResult.failed("node is off");
                        }
                        String failure = startFails.get(node + "/" + r);
                        if (failure != null) {
                            log.add(node + " start-failed " + r);
                            return OperationResult.failed(failure);
                        }
                        fencedAtStart.put(node + "/" + r, java.util.stream.Stream.of("node1", "node2", "node3")
                                .filter(n -> !n.equals(node) && ctx.isFenced(n)).toList());
                        stopProofsAtStart.put(node + "/" + r, java.util.stream.Stream.of("node1", "node2", "node3")
                                .flatMap(n -> ctx.stopProof(n).stream()).map(p -> p.node() + " " + p.kind()).toList());
                        String other = runningOn.putIfAbsent(r, node);
                        if (other != null && !other.equals(node)) {
                            violations.add(r + " started on " + node + " while running on " + other);
                        }
                        log.add(node + " start " + r);
                        notes.add(node + " start " + r + " note=" + ctx.parameters().getOrDefault("note", ""));
                        return OperationResult.ok();
                    }

                    @Override
                    public OperationResult stop(OperationContext op) {
                        if (deadNodes.contains(node)) {
                            return OperationResult.failed("node is off");
                        }
                        if (stopFails.contains(node + "/" + r)) {
                            log.add(node + " stop-failed " + r);
                            return OperationResult.failed("injected stop failure");
                        }
                        runningOn.remove(r, node);
                        crashed.remove(node + "/" + r);
                        log.add(node + " stop " + r);
                        notes.add(node + " stop " + r + " note=" + ctx.parameters().getOrDefault("note", ""));
                        return OperationResult.ok();
                    }

                    @Override
                    public OperationResult monitor(OperationContext op) {
                        if (deadNodes.contains(node)) {
                            return OperationResult.failed("node is off");
                        }
                        if (node.equals(runningOn.get(r))) {
                            return OperationResult.ok();
                        }
                        return crashed.contains(node + "/" + r) ? OperationResult.failed("crashed")
                                : OperationResult.notRunning();
                    }
                };
            }
        };
    }
}
