package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Alerts that reach a person, on two real nodes: {@code feature:install vigil-alert-mail vigil-alert-webhook
 * vigil-alert-syslog} at runtime and one {@code etc/org.vigil.alert-<name>.cfg} per sink on each node. (1) The node
 * running the demo service loses power: the survivor mails the admin (seen in a real SMTP server's mailbox), posts
 * the webhook (signed) and writes syslog (a real rsyslogd), each within 1 s of its node-lost event. (2) The mail sink
 * of both nodes then points at an SMTP server that accepts connections and never answers; the next power loss
 * fails over no slower than the first beyond noise, the webhook and syslog still deliver within 1 s, and the mail
 * sink's timeouts and drops are counted in {@code vigil:alerts} and {@code vigil:status}.
 */
@Steps
@Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
class AlertsIT implements Steps.Diagnostics {

    /** The issue's requirement: each alert reaches its receiver within 1 s of the event. */
    static final long DELIVERY_LIMIT_MILLIS = 1000;
    /** What a failover with a hung sink may take beyond the normal one: scheduling noise on a loaded machine. */
    static final long NOISE_MILLIS = 1000;

    private static AlertReceivers receivers;
    private static WebCluster cluster;
    private static String active;
    private static String survivor;
    private static long normalFailoverMillis = -1;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require();
        List<String> missing = AlertReceivers.missing();
        if (!missing.isEmpty()) {
            String reason = "AlertsIT needs " + String.join(", ", missing);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (CI=true: failing rather than skipping)");
            }
            assumeTrue(false, reason);
        }
        receivers = new AlertReceivers(Prerequisites.labsDir().resolve("alerts-receivers"));
        cluster = WebCluster.start("alerts", 130);
        Path secret = cluster.lab.dir().resolve("webhook.secret");
        Files.writeString(secret, "alerts-it-shared-secret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        for (String node : List.of("node1", "node2")) {
            cluster.lab.cliOk(node, "feature:install vigil-alert-mail vigil-alert-webhook vigil-alert-syslog");
            // one file at a time: Karaf's file install writes each new configuration back to its file, and once
            // (3 files written within a millisecond, a loaded machine) it read one of them back empty
            writeConfig(node, "mail", "type = mail\nhost = 127.0.0.1\nport = " + receivers.smtpPort
                    + "\nsecurity = none\nfrom = vigil@" + node + ".example\nto = admin@example.org\nmin-severity = warning\n");
            awaitAlerts(node, out -> out.contains("mail             delivered"), "the mail sink running");
            writeConfig(node, "hook", "type = webhook\nurl = http://127.0.0.1:" + receivers.webhookPort + "/vigil\nsecret-file = "
                    + secret + "\nkinds = node-lost, group-failover, test\n");
            awaitAlerts(node, out -> out.contains("hook             delivered"), "the webhook sink running");
            writeConfig(node, "syslog", "type = syslog\ntarget = udp://127.0.0.1:" + receivers.syslogPort + "\nfacility = local3\n");
            awaitAlerts(node, out -> out.contains("syslog           delivered") && !out.contains("NOT RUNNING"),
                    "three sinks running");
        }
        // the admin's end-to-end check; it also loads the sinks' classes before the measured alerts
        for (String node : List.of("node1", "node2")) {
            cluster.lab.cliOk(node, "vigil:alerts --test");
            awaitAlerts(node, out -> out.contains("hook             delivered 1") && out.contains("syslog           delivered 1"),
                    "the test event delivered by the webhook and syslog sinks");
        }
        assertThat(receivers.webhook).extracting(AlertReceivers.Received::kind).containsExactly("test", "test");
        assertThat(receivers.syslog()).filteredOn(r -> r.kind().equals("test")).hasSize(2);
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                WebCluster.log("alerts: mails %d, webhook posts %d, syslog messages %d; hung SMTP connections %d",
                        receivers.mails().size(), receivers.webhook.size(), receivers.syslog().size(),
                        receivers.hungConnections.size());
                cluster.close();
            }
        } finally {
            if (receivers != null) {
                receivers.close();
            }
        }
    }

    @Override
    public void stepFailed(String step) {
        if (cluster != null) {
            WebCluster.log("alerts: step '%s' failed; vigil:alerts on both nodes:%n%s%n%s%nnode logs:%n%s",
                    step, cluster.lab.cli("node1", "vigil:alerts").output(),
                    cluster.lab.cli("node2", "vigil:alerts").output(), cluster.lab.logTails());
        }
    }

    @Test
    @Order(1)
    void aNodeFailureMailsPostsAndLogsWithinOneSecond() {
        active = cluster.awaitSingleActive(Duration.ofSeconds(10));
        survivor = WebCluster.other(active);
        Lab.Crash crash = cluster.lab.crash(active);
        long servedAt = cluster.awaitServedBy(survivor, Duration.ofSeconds(15));
        assertThat(servedAt).as("%s serves after the crash of %s", survivor, active).isPositive();
        normalFailoverMillis = servedAt - crash.freezeMillis();
        WebCluster.log("alerts: %s serves %d ms after %s lost power (sinks healthy)", survivor, normalFailoverMillis, active);

        for (Supplier<List<AlertReceivers.Received>> channel : channels()) {
            AlertReceivers.Received r = awaitNodeLost(channel, active, survivor, crash.freezeMillis());
            WebCluster.log("alerts: %s: node-lost of %s from %s, %d ms after the event (%d ms after the crash)", r.channel(),
                    active, survivor, r.latency(), r.receivedMillis() - crash.freezeMillis());
            assertThat(r.latency()).as("%s delivered the node-lost alert within 1 s of the event (ms)", r.channel())
                    .isBetween(-50L, DELIVERY_LIMIT_MILLIS);
        }
        AlertReceivers.Received mail = awaitNodeLost(receivers::mails, active, survivor, crash.freezeMillis());
        assertThat(mail.raw()).contains("X-Envelope-To: admin@example.org", "Subject: [vigil] CRITICAL node-lost " + active,
                "From: vigil@" + survivor + ".example");
        AlertReceivers.Received post = awaitNodeLost(() -> receivers.webhook, active, survivor, crash.freezeMillis());
        assertThat(post.raw()).as("signed with the shared secret")
                .startsWith(signature(post.raw().substring(post.raw().indexOf(' ') + 1)) + " ");
        AlertReceivers.Received log = awaitNodeLost(receivers::syslog, active, survivor, crash.freezeMillis());
        assertThat(log.raw()).contains("app=vigil msgid=node-lost pri=local3.crit", "host=" + survivor);
        assertThat(receivers.webhook).as("the webhook's kinds filter: only node-lost, group-failover and test")
                .allMatch(r -> List.of("node-lost", "group-failover", "test").contains(r.kind()));
        assertThat(receivers.mails()).as("the mail sink's severity filter: warning and critical only")
                .noneMatch(r -> r.raw().contains("X-Vigil-Severity: INFO"));
    }

    @Test
    @Order(2)
    void aHungSmtpServerDelaysNoFailoverAndItsDropsAreCounted() {
        cluster.lab.start(active);
        cluster.lab.awaitOnline(survivor, active, Duration.ofSeconds(30));
        cluster.lab.awaitOnline(active, survivor, Duration.ofSeconds(30));
        // after the restart the roles swap: the service runs on the survivor, the restarted node takes over
        String next = active;
        String victim = survivor;
        for (String node : List.of("node1", "node2")) {
            writeConfig(node, "mail", "type = mail\nhost = 127.0.0.1\nport = " + receivers.hungPort + "\nsecurity = none\n"
                    + "from = vigil@" + node + ".example\nto = admin@example.org\ntimeout = 5\nqueue = 1\n");
        }
        for (String node : List.of("node1", "node2")) {
            awaitAlerts(node, out -> out.contains("timeout 5 s, queue 1") && !out.contains("NOT RUNNING"),
                    "the mail sink pointing at the hung server");
        }
        // events while the mail sink hangs: the first waits for the server, one more waits in the queue, the rest drop
        cluster.lab.cliOk(next, "vigil:alerts --test; vigil:alerts --test; vigil:alerts --test; vigil:alerts --test");

        assertThat(cluster.awaitSingleActive(Duration.ofSeconds(10))).isEqualTo(victim);
        Lab.Crash crash = cluster.lab.crash(victim);
        long servedAt = cluster.awaitServedBy(next, Duration.ofSeconds(15));
        assertThat(servedAt).as("%s serves after the crash of %s with a hung mail server", next, victim).isPositive();
        long hungFailoverMillis = servedAt - crash.freezeMillis();
        WebCluster.log("alerts: %s serves %d ms after %s lost power with the mail sink hung (healthy: %d ms)", next,
                hungFailoverMillis, victim, normalFailoverMillis);
        assertThat(hungFailoverMillis).as("failover with a hung SMTP server vs %d ms without (ms)", normalFailoverMillis)
                .isLessThanOrEqualTo(normalFailoverMillis + NOISE_MILLIS);
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();

        AlertReceivers.Received post = awaitNodeLost(() -> receivers.webhook, victim, next, crash.freezeMillis());
        AlertReceivers.Received log = awaitNodeLost(receivers::syslog, victim, next, crash.freezeMillis());
        WebCluster.log("alerts: with the mail sink hung, webhook %d ms and syslog %d ms after the event", post.latency(),
                log.latency());
        assertThat(post.latency()).as("webhook beside a hung mail sink (ms)").isLessThanOrEqualTo(DELIVERY_LIMIT_MILLIS);
        assertThat(log.latency()).as("syslog beside a hung mail sink (ms)").isLessThanOrEqualTo(DELIVERY_LIMIT_MILLIS);
        assertThat(receivers.hungConnections).as("connections the hung SMTP server accepted").isNotEmpty();

        String out = awaitAlerts(next, o -> mailCounter(o, "timed out") >= 1 && mailCounter(o, "dropped") >= 1,
                "the mail sink's timeouts and drops counted");
        WebCluster.log("alerts: vigil:alerts on %s:%n%s", next, out.strip());
        assertThat(mailCounter(out, "delivered")).isZero();
        String status = cluster.lab.cliOk(next, "vigil:status");
        assertThat(status).containsPattern("Alert sinks:.* mail 0 delivered \\(\\d+ failed, \\d+ timed out, [1-9]\\d* dropped\\)");
    }

    private static List<Supplier<List<AlertReceivers.Received>>> channels() {
        return List.of(receivers::mails, () -> receivers.webhook, receivers::syslog);
    }

    /** Waits (bounded) for the node-lost alert of {@code lost} reported by {@code reporter} after {@code since}. */
    private static AlertReceivers.Received awaitNodeLost(Supplier<List<AlertReceivers.Received>> channel, String lost,
            String reporter, long since) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            Optional<AlertReceivers.Received> r = channel.get().stream().filter(x -> x.kind().equals("node-lost")
                    && x.subject().equals(lost) && x.reporter().equals(reporter) && x.eventMillis() >= since - 1000).findFirst();
            if (r.isPresent()) {
                return r.get();
            }
            Lab.sleep(20);
        }
        throw new AssertionError("no node-lost alert of " + lost + " from " + reporter + " within 20 s; received: "
                + channel.get());
    }

    private static String awaitAlerts(String node, java.util.function.Predicate<String> ok, String what) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            Lab.Result r = cluster.lab.cli(node, "vigil:alerts");
            last = r.output();
            if (r.ok() && ok.test(last)) {
                return last;
            }
            Lab.sleep(500);
        }
        throw new AssertionError(node + ": not " + what + " within 60 s; vigil:alerts says:\n" + last);
    }

    private static long mailCounter(String alertsOutput, String counter) {
        Matcher m = Pattern.compile("(?m)^\\s+mail\\s+.*?\\b" + counter + " (\\d+)").matcher(alertsOutput);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Writes etc/org.vigil.alert-NAME.cfg of a node atomically (Karaf's file install reads it once it is complete). */
    private static void writeConfig(String node, String name, String content) {
        try {
            Path etc = cluster.lab.dir().resolve(node).resolve("etc");
            Path tmp = etc.resolve("org.vigil.alert-" + name + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, etc.resolve("org.vigil.alert-" + name + ".cfg"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String signature(String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec("alerts-it-shared-secret".getBytes(StandardCharsets.UTF_8),
                    "HmacSHA256"));
            return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
