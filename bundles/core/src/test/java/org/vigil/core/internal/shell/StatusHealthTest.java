package org.vigil.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.Severity;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.engine.EngineStatus;
import org.vigil.core.internal.engine.Fencing;
import org.vigil.core.internal.heartbeat.PathState;
import org.vigil.core.internal.heartbeat.PathStatus;
import org.vigil.core.internal.json.Json;
import org.vigil.core.internal.membership.MembershipTracker;
import org.vigil.core.internal.membership.PathCounters;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.policy.Policy;
import org.vigil.core.internal.policy.ScenarioLoader;
import org.vigil.core.internal.policy.Snapshot;

/**
 * The verdict behind {@code bin/vigil status}'s exit status and the JSON status, on the policy's golden scenarios:
 * the same cluster pictures the policy is tested on.
 */
class StatusHealthTest {

    @Test
    void everyGroupRunningAndEveryNodeOnlineIsOk() {
        StatusHealth h = StatusHealth.of(service("monitor-when-due", null, Map.of()));
        assertThat(h.reasons()).isEmpty();
        assertThat(h.status()).isEqualTo(ExitStatus.OK);
    }

    @Test
    void lostNodeIsDegraded() {
        StatusHealth h = StatusHealth.of(service("failover-after-node-lost", null, Map.of()));
        assertThat(h.status()).isEqualTo(ExitStatus.DEGRADED);
        assertThat(h.reasons()).anySatisfy(r -> assertThat(r).contains("node node1 is lost"));
    }

    @Test
    void bannedGroupAndFailedResourceAreDegraded() {
        StatusHealth h = StatusHealth.of(service("banned-group-stops-on-failed-node", null, Map.of()));
        assertThat(h.status()).isEqualTo(ExitStatus.DEGRADED);
        assertThat(h.reasons()).anySatisfy(r -> assertThat(r).contains("group web is banned on node1"))
                .anySatisfy(r -> assertThat(r).contains("failed or unmanaged resource on node1"));
    }

    @Test
    void groupThatShouldRunButRunsNowhereSaysWhy() {
        StatusHealth h = StatusHealth.of(service("no-eligible-node", null, Map.of()));
        assertThat(h.status()).isEqualTo(ExitStatus.DEGRADED);
        assertThat(h.reasons()).anySatisfy(r -> assertThat(r).contains("runs nowhere: "));
    }

    @Test
    void maintenanceModeIsDegraded() {
        StatusHealth h = StatusHealth.of(service("maintenance-takes-no-action", null, Map.of()));
        assertThat(h.status()).isEqualTo(ExitStatus.DEGRADED);
        assertThat(h.reasons()).anySatisfy(r -> assertThat(r).startsWith("maintenance mode"));
    }

    @Test
    void noQuorumIsNotReadyAndComesFirst() {
        StatusHealth h = StatusHealth.of(service("quorum-lost-stops-everything", null, Map.of()));
        assertThat(h.status()).isEqualTo(ExitStatus.NOT_READY);
        assertThat(h.reasons().get(0)).startsWith("no quorum: ");
    }

    @Test
    void notReadyReasonIsNotReady() {
        StatusHealth h = StatusHealth.of(service("monitor-when-due", "ping not found", Map.of()));
        assertThat(h.status()).isEqualTo(ExitStatus.NOT_READY);
        assertThat(h.reasons()).containsExactly("not ready: ping not found");
    }

    @Test
    void pathNotOpenIsDegraded() {
        var path = new PathStatus("lan", "udp", PathState.FAILED, "bind: address in use", new PathCounters());
        StatusHealth h = StatusHealth.of(service("monitor-when-due", null, Map.of("lan", path)));
        assertThat(h.status()).isEqualTo(ExitStatus.DEGRADED);
        assertThat(h.reasons()).containsExactly("path lan is failed: bind: address in use");
    }

    @Test
    void aNodeThatCannotGetTheCurrentDocumentIsDegradedAndSaysWhy() {
        String lag = "this node cannot get the current cluster document: node1 has version 9, this node 4 (for 12 s)";
        StatusHealth h = StatusHealth.of(new Delegate(service("monitor-when-due", null, Map.of())) {
            @Override
            public String documentLag() {
                return lag;
            }
        });
        assertThat(h.status()).isEqualTo(ExitStatus.DEGRADED);
        assertThat(h.reasons()).containsExactly(lag);
    }

    @Test
    void engineNotStartedIsNotReady() {
        ClusterService c = service("monitor-when-due", null, Map.of());
        ClusterService starting = new Delegate(c) {
            @Override
            public EngineStatus engineStatus() {
                return null;
            }
        };
        assertThat(StatusHealth.of(starting).status()).isEqualTo(ExitStatus.NOT_READY);
        Map<String, Object> json = StatusJson.of(starting, StatusHealth.of(starting), Instant.EPOCH);
        assertThat(json).containsEntry("ready", false).containsEntry("nodes", List.of()).containsEntry("quorum", null);
    }

    @Test
    void jsonCarriesTheVerdictAndEscapesControlCharacters() {
        ClusterService c = new Delegate(service("banned-group-stops-on-failed-node", null, Map.of())) {
            @Override
            public List<AlertEvent> recentEvents() {
                return List.of(new AlertEvent(Instant.EPOCH, Severity.values()[0], "group-failed", "node1", "web",
                        "web-app said \u001b[2J\nboom\u0007\u009b"));
            }
        };
        String text = Json.writePretty(StatusJson.of(c, StatusHealth.of(c), Instant.EPOCH));
        assertThat(text).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b")
                .contains("web-app said \\u001b[2J\\nboom\\u0007\\u009b");
        Map<String, Object> back = Json.parseObject(text);
        assertThat(back.get("schema")).isEqualTo(StatusJson.SCHEMA);
        assertThat(obj(back.get("health"))).containsEntry("state", "degraded").containsEntry("exitCode", 1L);
        Map<String, Object> web = obj(((List<?>) back.get("groups")).get(0));
        assertThat(web.get("name")).isEqualTo("web");
        assertThat((List<?>) web.get("notes")).anySatisfy(n -> assertThat(obj(n)).containsEntry("banned", true));
        Map<String, Object> event = obj(((List<?>) back.get("events")).get(0));
        assertThat(event.get("message")).isEqualTo("web-app said \u001b[2J\nboom\u0007\u009b");
    }

    @Test
    void jsonCarriesTheNodeCountersAndAlertSinkCounters() {
        org.vigil.core.internal.stats.GroupCounters groups = new org.vigil.core.internal.stats.GroupCounters();
        groups.observe("node1", Map.of("web", java.util.Set.of("node2")), java.util.Set.of());
        groups.observe("node1", Map.of("web", java.util.Set.of("node1")), java.util.Set.of());
        groups.restarted("web");
        org.vigil.core.internal.stats.OperationTimes times = new org.vigil.core.internal.stats.OperationTimes();
        times.record("web-ip", "monitor", 40, true);
        PathCounters k = new PathCounters();
        k.sent.addAndGet(9);
        ClusterService c = new Delegate(service("banned-group-stops-on-failed-node", null,
                Map.of("lan", new PathStatus("lan", "udp", PathState.OPEN, "", k)))) {
            @Override
            public org.vigil.core.internal.stats.NodeStats stats() {
                return new org.vigil.core.internal.stats.NodeStats(Map.of("node-lost", 2L), groups, times.lines(), List.of());
            }

            @Override
            public List<org.vigil.core.internal.alert.AlertLane.Stats> alertSinks() {
                return List.of(new org.vigil.core.internal.alert.AlertLane.Stats("admins", "warning+", 5, 1, 0, 2, 3, ""));
            }
        };
        Map<String, Object> back = Json.parseObject(Json.writePretty(StatusJson.of(c, StatusHealth.of(c), Instant.EPOCH)));
        assertThat(obj(back.get("eventCounts"))).containsEntry("node-lost", 2L);
        assertThat(obj(((List<?>) back.get("alertSinks")).get(0))).containsEntry("name", "admins").containsEntry("delivered", 5L)
                .containsEntry("dropped", 2L).containsEntry("waiting", 3L);
        assertThat(obj(obj(((List<?>) back.get("paths")).get(0)).get("counters"))).containsEntry("sent", 9L);
        Map<String, Object> web = obj(((List<?>) back.get("groups")).get(0));
        assertThat(obj(web.get("takenOver"))).containsEntry("failovers", 1L).containsEntry("switchovers", 0L);
        assertThat(web).containsEntry("restarts", 1L);
        Map<String, Object> ip = obj(((List<?>) web.get("resources")).get(0));
        assertThat(obj(obj(ip.get("operationTimes")).get("monitor"))).containsEntry("count", 1L).containsEntry("millisSum", 40L);
    }

    /** A cluster service over a golden scenario: what the status reads, nothing else. */
    private static ClusterService service(String scenario, String notReady, Map<String, PathStatus> paths) {
        Snapshot s;
        try {
            s = ScenarioLoader.load(Files.readString(Path.of("src/test/resources/scenarios", scenario, "input.json"),
                    StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        EngineStatus st = new EngineStatus(s, Policy.decide(s), s.settled(), notReady, Map.of(), List.of());
        return new Fake(st, paths);
    }

    private record Fake(EngineStatus status, Map<String, PathStatus> paths) implements ClusterService {
        @Override
        public String nodeName() {
            return status.snapshot().localNode();
        }

        @Override
        public long incarnation() {
            return 7;
        }

        @Override
        public java.util.Optional<FenceMessageSigner> fenceSigner() {
            return java.util.Optional.empty();
        }

        @Override
        public EngineStatus engineStatus() {
            return status;
        }

        @Override
        public Map<String, MembershipTracker.PeerView> peers() {
            return Map.of();
        }

        @Override
        public ClusterDocument document() {
            return status.snapshot().document();
        }

        @Override
        public ClusterDocument change(UnaryOperator<ClusterDocument> change) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, ResourceTypeDescription> resourceTypes() {
            return Map.of();
        }

        @Override
        public Map<String, TransportDescription> pathTypes() {
            return Map.of();
        }

        @Override
        public List<String> validateResource(String type, Map<String, String> params) {
            return List.of();
        }

        @Override
        public List<AlertEvent> recentEvents() {
            return List.of();
        }

        @Override
        public Fencing fencing() {
            return new Fencing(() -> 0L);
        }

        @Override
        public Map<String, String> fenceResults() {
            return Map.of();
        }

        @Override
        public String tieBreakerInfo() {
            return "none";
        }

        @Override
        public FenceResult fence(String node, FenceAction action, int timeoutSeconds) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String confirmDown(String node) {
            throw new UnsupportedOperationException();
        }
    }

    /** Forwards everything; a test overrides what it changes. */
    private static class Delegate implements ClusterService {
        private final ClusterService d;

        Delegate(ClusterService d) {
            this.d = d;
        }

        @Override
        public String nodeName() {
            return d.nodeName();
        }

        @Override
        public long incarnation() {
            return d.incarnation();
        }

        @Override
        public java.util.Optional<FenceMessageSigner> fenceSigner() {
            return d.fenceSigner();
        }

        @Override
        public EngineStatus engineStatus() {
            return d.engineStatus();
        }

        @Override
        public Map<String, MembershipTracker.PeerView> peers() {
            return d.peers();
        }

        @Override
        public Map<String, PathStatus> paths() {
            return d.paths();
        }

        @Override
        public ClusterDocument document() {
            return d.document();
        }

        @Override
        public ClusterDocument change(UnaryOperator<ClusterDocument> change) {
            return d.change(change);
        }

        @Override
        public Map<String, ResourceTypeDescription> resourceTypes() {
            return d.resourceTypes();
        }

        @Override
        public Map<String, TransportDescription> pathTypes() {
            return d.pathTypes();
        }

        @Override
        public List<String> validateResource(String type, Map<String, String> params) {
            return d.validateResource(type, params);
        }

        @Override
        public List<AlertEvent> recentEvents() {
            return d.recentEvents();
        }

        @Override
        public Fencing fencing() {
            return d.fencing();
        }

        @Override
        public Map<String, String> fenceResults() {
            return d.fenceResults();
        }

        @Override
        public String tieBreakerInfo() {
            return d.tieBreakerInfo();
        }

        @Override
        public FenceResult fence(String node, FenceAction action, int timeoutSeconds) throws Exception {
            return d.fence(node, action, timeoutSeconds);
        }

        @Override
        public String confirmDown(String node) throws Exception {
            return d.confirmDown(node);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }
}
