package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.core.internal.json.Json;

/**
 * The metrics on two real nodes, scraped by a real Prometheus (Debian's {@code prometheus}) over the REST API's TLS
 * with HTTP Basic: without {@code vigil-metrics} the API answers 404 naming the feature; installed at runtime, it
 * opens no port of its own; Prometheus scrapes both nodes (its {@code up} is 1) and sees the heartbeat paths'
 * frames and acknowledgement delays; after a switchover to node2, node2's switchover counter is 1 and the group runs
 * there; after node2 crashes, node1's failover counter is 1, node1 sees node2 lost and Prometheus sees node2 down.
 * Prometheus runs on loopback on a free port with its data under the lab's directory, and is ended by its PID.
 */
@Steps
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MetricsIT implements Steps.Diagnostics {

    private static final int OFFSET = 470;
    private static final String USER = "prometheus";
    private static final String PASSWORD = "scrape-pw-9Zt";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> NODES = List.of("node1", "node2");
    private static final String GROUP = "web";

    private static Lab lab;
    private static int webPort;
    private static final Map<String, Integer> restPort = new HashMap<>();
    private static Process prometheus;
    private static Path promDir;
    private static int promPort;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws IOException {
        Path dist = Prerequisites.require();
        Prerequisites.requireTools("MetricsIT", "to list the listening sockets", List.of("ss", "prometheus"), List.of(),
                "iproute2, prometheus");
        int ssh = Prerequisites.intProperty("vigil.system.sshBase", 8301) + OFFSET;
        int udp = Prerequisites.intProperty("vigil.system.udpBase", 7301) + OFFSET;
        webPort = Prerequisites.intProperty("vigil.system.webPort", 18301) + OFFSET;
        restPort.put("node1", webPort + 1);
        restPort.put("node2", webPort + 2);
        lab = Lab.setUp("metrics", 2, ssh, udp, dist);
        for (String n : NODES) { // the scraper's user, a viewer: written before the start, as an admin would
            Path users = lab.dir().resolve(n).resolve("etc/users.properties");
            Files.writeString(users, Files.readString(users) + "\n" + USER + " = " + PASSWORD + ",vigil-viewer\n");
        }
        try {
            lab.start("node1", "node2");
            lab.awaitOnline("node1", "node2", Duration.ofSeconds(30));
            lab.awaitOnline("node2", "node1", Duration.ofSeconds(30));
        } catch (RuntimeException | Error e) {
            e.addSuppressed(new AssertionError("node logs:\n" + lab.logTails()));
            lab.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (prometheus != null && prometheus.isAlive()) {
            prometheus.destroy(); // SIGTERM to its PID: Prometheus shuts its database down cleanly
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    public void stepFailed(String step) {
        if (lab != null) {
            WebCluster.log("metrics: step '%s' failed; vigil:status node1:%n%s%nprometheus log:%n%s%nnode logs:%n%s", step,
                    lab.cli("node1", "vigil:status").output(), prometheusLog(), lab.logTails());
        }
    }

    @Test
    @Order(1)
    void withoutTheMetricsFeatureTheApiAnswers404NamingIt() throws Exception {
        for (String n : NODES) {
            RestAccess.enable(lab, n, restPort.get(n), WAIT);
        }
        HttpResponse<String> r = scrape("node1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(r.body()).contains("feature:install vigil-metrics");
    }

    @Test
    @Order(2)
    void installedAtRuntimeItOpensNoPortOfItsOwnAndTheApiServesTheTextFormat() throws Exception {
        for (String n : NODES) {
            long pid = lab.jvmPid(n);
            Set<String> before = RestAccess.listening(pid);
            lab.cliOk(n, "feature:install vigil-metrics");
            await(n + ": vigil:metrics answers", () -> lab.cli(n, "vigil:metrics").output().contains("vigil_node_info"));
            Lab.sleep(1000);
            assertThat(RestAccess.listening(pid)).as("%s listens where it did before vigil-metrics", n).isEqualTo(before);
            HttpResponse<String> r = scrape(n);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.body()).contains("vigil_node_info{incarnation=").contains("node=\"" + n + "\"");
        }
    }

    @Test
    @Order(3)
    void aRealPrometheusScrapesBothNodesOverTlsAndSeesThePaths() throws Exception {
        startPrometheus();
        for (String n : NODES) {
            awaitValue(n + " scraped", "up{instance=\"" + target(n) + "\"}", v -> v == 1);
            awaitValue(n + " sends heartbeat frames", "vigil_path_frames_sent_total{instance=\"" + target(n) + "\"}",
                    v -> v > 0);
            String peer = n.equals("node1") ? "node2" : "node1";
            String link = "{instance=\"" + target(n) + "\",peer=\"" + peer + "\"}";
            awaitValue(n + " counts the frames of " + peer, "vigil_peer_path_frames_total" + link, v -> v > 0);
            awaitValue(n + " measures acknowledgement delays", "vigil_peer_path_ack_delay_seconds_count" + link, v -> v > 0);
            awaitValue(n + " hears " + peer + " on the path", "vigil_peer_path_up" + link, v -> v == 1);
            awaitValue(n + " sees " + peer + " online",
                    "vigil_node_state{instance=\"" + target(n) + "\",node=\"" + peer + "\",state=\"online\"}", v -> v == 1);
            double mean = query("sum(vigil_peer_path_ack_delay_seconds_sum" + link + ") / sum(vigil_peer_path_ack_delay_seconds_count"
                    + link + ")");
            WebCluster.log("metrics: %s: mean acknowledgement delay from %s %.1f ms", n, peer, mean * 1000);
            assertThat(mean).as("mean acknowledgement delay (s)").isPositive().isLessThan(5);
        }
    }

    @Test
    @Order(4)
    void afterASwitchoverNode2sSwitchoverCounterIsOne() {
        lab.addWebGroup("node1", GROUP, webPort);
        lab.cliOk("node1", "vigil:bring-in --wait 30 " + GROUP + " node1");
        awaitValue("web runs on node1", "vigil_group_running{instance=\"" + target("node1") + "\",group=\"web\",node=\"node1\"}",
                v -> v == 1);
        assertThat(query("vigil_group_takeovers_total{group=\"web\"}")).as("no takeover yet (a first start is none)")
                .isEqualTo(0);

        String out = lab.cliOk("node1", "vigil:switchover --wait 30 " + GROUP + " node2");
        assertThat(out).contains("runs on node2");
        awaitValue("node2 counts the switchover",
                "vigil_group_takeovers_total{instance=\"" + target("node2") + "\",group=\"web\",kind=\"switchover\"}", v -> v == 1);
        awaitValue("node1 sees web on node2",
                "vigil_group_running{instance=\"" + target("node1") + "\",group=\"web\",node=\"node2\"}", v -> v == 1);
        awaitValue("node2 times its monitors", "vigil_resource_operation_seconds_count{instance=\"" + target("node2")
                + "\",group=\"web\",operation=\"monitor\"}", v -> v > 0);
        assertThat(query("sum(vigil_group_takeovers_total{kind=\"failover\"})")).as("no failover").isEqualTo(0);
    }

    @Test
    @Order(5)
    void afterNode2CrashesNode1sFailoverCounterIsOneAndPrometheusSeesNode2Down() {
        Lab.Crash crash = lab.crash("node2");
        WebCluster.log("metrics: %s", crash.output());
        String n1 = "{instance=\"" + target("node1") + "\"";
        awaitValue("node1 counts the failover", "vigil_group_takeovers_total" + n1 + ",group=\"web\",kind=\"failover\"}",
                v -> v == 1);
        awaitValue("node1 sees node2 lost", "vigil_node_state" + n1 + ",node=\"node2\",state=\"lost\"}", v -> v == 1);
        awaitValue("node1 raised node-lost", "vigil_events_total" + n1 + ",kind=\"node-lost\"}", v -> v >= 1);
        awaitValue("Prometheus sees node2 down", "up{instance=\"" + target("node2") + "\"}", v -> v == 0);
        assertThat(Http.servedBy(webPort)).as("the service answers from node1").isEqualTo("node1");
    }

    // ---------------------------------------------------------------- helpers

    private static String target(String node) {
        return "127.0.0.1:" + restPort.get(node);
    }

    /** Starts Prometheus on loopback, scraping both nodes every second over TLS (their certificates pinned). */
    private static void startPrometheus() throws IOException {
        promDir = lab.dir().resolve("prometheus");
        Files.createDirectories(promDir.resolve("data"));
        StringBuilder cas = new StringBuilder();
        for (String n : NODES) {
            cas.append(Files.readString(lab.dir().resolve(n).resolve("etc/vigil-rest.crt"))).append('\n');
        }
        Files.writeString(promDir.resolve("vigil-ca.pem"), cas);
        Path pw = promDir.resolve("password");
        Files.writeString(pw, PASSWORD);
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(promDir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: vigil
                    scheme: https
                    metrics_path: /api/v1/metrics
                    basic_auth:
                      username: %s
                      password_file: %s
                    tls_config:
                      ca_file: %s
                    static_configs:
                      - targets: ['%s', '%s']
                """.formatted(USER, pw, promDir.resolve("vigil-ca.pem"), target("node1"), target("node2")));
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            promPort = s.getLocalPort();
        }
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + promDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort,
                "--storage.tsdb.retention.time=1h")
                .redirectErrorStream(true).redirectOutput(promDir.resolve("prometheus.log").toFile()).start();
        WebCluster.log("metrics: prometheus pid %d on 127.0.0.1:%d", prometheus.pid(), promPort);
        await("Prometheus ready", () -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/-/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** @return the sum of the instant query's samples, or NaN when it has none */
    @SuppressWarnings("unchecked")
    private static double query(String promql) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                    + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s: %s", promql, r.body()).isEqualTo(200);
            Map<String, Object> data = (Map<String, Object>) Json.parseObject(r.body()).get("data");
            List<Object> result = (List<Object>) data.get("result");
            if (result.isEmpty()) {
                return Double.NaN;
            }
            double sum = 0;
            for (Object o : result) {
                sum += Double.parseDouble((String) ((List<Object>) ((Map<String, Object>) o).get("value")).get(1));
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitValue(String what, String promql, DoublePredicate ok) {
        long end = System.nanoTime() + WAIT.toNanos();
        double last = Double.NaN;
        while (System.nanoTime() < end) {
            last = query(promql);
            if (!Double.isNaN(last) && ok.test(last)) {
                WebCluster.log("metrics: %s: %s = %s", what, promql, last);
                return;
            }
            Lab.sleep(500);
        }
        throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what + " (" + promql + " = " + last + ")");
    }

    /** GET /api/v1/metrics of a node as the scraper's user, trusting the node's own certificate. */
    private static HttpResponse<String> scrape(String node) throws Exception {
        HttpClient c = HttpClient.newBuilder()
                .sslContext(RestAccess.trusting(lab.dir().resolve(node).resolve("etc/vigil-rest.crt")))
                .connectTimeout(Duration.ofSeconds(10)).build();
        return c.send(HttpRequest.newBuilder(URI.create("https://" + target(node) + "/api/v1/metrics"))
                .header("Authorization", RestAccess.basicAuth(USER, PASSWORD))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String prometheusLog() {
        try {
            Path f = promDir == null ? null : promDir.resolve("prometheus.log");
            if (f == null || !Files.exists(f)) {
                return "(not started)";
            }
            List<String> lines = Files.readAllLines(f);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        RestAccess.await(what, WAIT, condition);
    }
}
