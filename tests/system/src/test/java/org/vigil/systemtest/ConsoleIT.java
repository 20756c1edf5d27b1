package org.vigil.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real browser: Debian's chromium, headless, driven by selenium-java through chromium-driver,
 * against two real nodes (scripts/vigil-lab) running the demo web service as group {@code web} on node1, with
 * {@code vigil-rest} installed at runtime and enabled on both (TLS with the generated certificate, which the browser
 * trusts by its public key's pin, not by ignoring errors). The browser opens node2's console: without a login it
 * shows only the form and a wrong password is refused; the viewer sees both nodes, their heartbeat paths and where
 * {@code web} runs, every action button disabled, and the server refuses a change sent from the page anyway (403);
 * the cookie is HttpOnly, Secure, SameSite=Strict with an expiry, and a change carrying the admin's cookie without
 * the CSRF token is refused. node1 loses power: the page shows {@code web} on node2 within a second of the service
 * answering there (no reload). node1 back, the admin clicks Switch over (first cancelled: nothing changes), picks
 * node1 and confirms: the service answers from node1 and the page says so. Closing the browser changes nothing.
 * The screenshot of the README is taken here (target/console.png).
 */
@Steps
@Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
class ConsoleIT implements Steps.Diagnostics {

    private static final int OFFSET = 340;
    private static final String VIEWER = "viewer";
    private static final String VIEWER_PW = "viewer-pw-8Ws";
    private static final String ADMIN = "operator";
    private static final String ADMIN_PW = "operator-pw-3Jn";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private static WebCluster cluster;
    private static int consolePort;
    private static String consoleUrl;
    private static SSLContext trustTheNode;
    private static final List<WebDriver> browsers = new ArrayList<>();
    private static final List<Path> profiles = new ArrayList<>();
    private static WebDriver browser;
    private static Thread closer;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require();
        List<String> missing = new ArrayList<>();
        for (String tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(tool))) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            String reason = "ConsoleIT needs " + String.join(", ", missing) + " (Debian packages chromium, chromium-driver)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(reason + " (CI=true: failing rather than skipping)");
            }
            Assumptions.abort(reason);
        }
        cluster = WebCluster.start("console", OFFSET);
        int web = cluster.port;
        try {
            for (String node : List.of("node1", "node2")) {
                int port = web + (node.equals("node1") ? 1 : 2);
                Path home = cluster.lab.dir().resolve(node);
                Path users = home.resolve("etc/users.properties");
                Files.writeString(users, Files.readString(users) + "\n" + VIEWER + " = " + VIEWER_PW + ",vigil-viewer\n"
                        + ADMIN + " = " + ADMIN_PW + ",vigil-admin\n");
                RestAccess.enable(cluster.lab, node, port, WAIT);
            }
            consolePort = web + 2;
            consoleUrl = "https://127.0.0.1:" + consolePort + "/console/";
            // node2's certificate, checked against the fingerprint vigil:rest shows, pinned in the browser by its key
            Path home2 = cluster.lab.dir().resolve("node2");
            X509Certificate cert = RestAccess.certificate(home2.resolve("etc/vigil-rest.crt"));
            Matcher m = Pattern.compile("fingerprint: ([0-9A-F:]{95})").matcher(cluster.lab.cliOk("node2", "vigil:rest"));
            assertThat(m.find()).isTrue();
            assertThat(HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(cert.getEncoded())))
                    .as("etc/vigil-rest.crt is the certificate node2 serves").isEqualTo(m.group(1));
            String spki = Base64.getEncoder().encodeToString(sha256(cert.getPublicKey().getEncoded()));
            trustTheNode = RestAccess.trusting(cert);
            System.setProperty("vigil.console.spki", spki);
            closer = new Thread(ConsoleIT::quitBrowsers, "console-it-browsers");
            Runtime.getRuntime().addShutdownHook(closer);
        } catch (RuntimeException | Error | IOException e) {
            e.addSuppressed(new AssertionError("node logs:\n" + cluster.lab.logTails()));
            cluster.close();
            cluster = null;
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        quitBrowsers();
        if (closer != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(closer);
            } catch (IllegalStateException e) {
                // shutting down already
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public void stepFailed(String step) {
        if (cluster != null) {
            String page = "";
            try {
                page = browser == null ? "(no browser)" : browser.findElement(By.tagName("body")).getText();
            } catch (RuntimeException e) {
                page = "(page unreadable: " + e + ")";
            }
            WebCluster.log("console: step '%s' failed; the page:%n%s%nnode2 vigil:rest: %s%nnode2 vigil:status:%n%s%nnode logs:%n%s",
                    step, page, cluster.lab.cli("node2", "vigil:rest").output(), cluster.lab.cli("node2", "vigil:status").output(),
                    cluster.lab.logTails());
        }
    }

    @Test
    @Order(1)
    void withoutALoginOnlyTheFormAndAWrongPasswordIsRefused() {
        browser = newBrowser();
        browser.get(consoleUrl);
        awaitPage("the login form", () -> browser.findElement(By.id("login-view")).isDisplayed());
        assertThat(browser.findElement(By.id("cluster-view")).isDisplayed()).as("the cluster before a login").isFalse();
        login(VIEWER, "not-the-password");
        awaitPage("the refusal", () -> browser.findElement(By.id("login-error")).getText().contains("login failed"));
        assertThat(browser.findElement(By.id("cluster-view")).isDisplayed()).isFalse();
        assertThat(browser.manage().getCookieNamed("vigil-console")).as("no session after a failed login").isNull();
    }

    @Test
    @Order(2)
    void theViewerSeesTheClusterAtAGlanceAndCannotAct() throws Exception {
        long version = cluster.lab.documentVersion("node2");
        login(VIEWER, VIEWER_PW);
        awaitPage("web shown on node1", () -> "node1".equals(groupRow("web").getAttribute("data-running-on")));
        awaitPage("both nodes online", () -> "online".equals(nodeRow("node1").getAttribute("data-state"))
                && "online".equals(nodeRow("node2").getAttribute("data-state")));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("viewer (read only)");
        List<String> node1Paths = onPage(() -> nodeRow("node1").findElements(By.cssSelector("[data-path]")).stream()
                .map(WebElement::getText).toList());
        assertThat(node1Paths).as("node1's heartbeat paths as node2 hears them").isNotEmpty()
                .allSatisfy(p -> assertThat(p).endsWith(" up"));
        List<String> paths = onPage(() -> browser.findElements(By.cssSelector("#paths tbody tr")).stream()
                .map(p -> p.getAttribute("data-state")).toList());
        assertThat(paths).as("node2's own paths").isNotEmpty().allSatisfy(p -> assertThat(p).isEqualTo("open"));
        assertThat(onPage(() -> groupRow("web").findElement(By.className("placement")).getText()))
                .as("why web runs where it runs").isNotBlank();

        Cookie cookie = browser.manage().getCookieNamed("vigil-console");
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).as("HttpOnly").isTrue();
        assertThat(cookie.isSecure()).as("Secure").isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getExpiry()).as("an expiry").isNotNull();

        List<String> enabled = onPage(() -> browser.findElements(By.cssSelector("button[data-action]")).stream()
                .map(b -> b.getText() + (b.isEnabled() ? " enabled" : " disabled")).toList());
        assertThat(enabled).as("action buttons").hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(b -> assertThat(b).endsWith(" disabled"));
        // the page's own code, with the session's CSRF token, asking for a switchover: the server refuses it anyway
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('session').then(r => r.json()).then(s => fetch('/api/v1/groups/web/switchover', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json', 'X-Vigil-Csrf': s.csrf}, body: '{\"node\": \"node2\"}'}))"
                + ".then(r => done(r.status)).catch(e => done(String(e)));");
        assertThat(status).as("the viewer's switchover").isEqualTo(403L);
        assertThat(cluster.lab.documentVersion("node2")).isEqualTo(version);
        assertThat(cluster.awaitSingleActive(Duration.ofSeconds(10))).isEqualTo("node1");
        assertThat(audit("node2")).containsPattern("user=viewer .* POST /api/v1/groups/web/switchover refused 403: read-only user");
    }

    @Test
    @Order(3)
    void theAdminsChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        browser.findElement(By.id("logout")).click();
        awaitPage("the login form", () -> browser.findElement(By.id("login-view")).isDisplayed());
        login(ADMIN, ADMIN_PW);
        awaitPage("the admin's page", () -> browser.findElement(By.id("who")).getText().equals("operator (admin)")
                && "node1".equals(groupRow("web").getAttribute("data-running-on")));
        List<String> enabled = onPage(() -> browser.findElements(By.cssSelector("button[data-action]")).stream()
                .map(b -> b.getText() + (b.isEnabled() ? " enabled" : " disabled")).toList());
        assertThat(enabled).as("the admin's action buttons (after the viewer's logout, same page)")
                .hasSizeGreaterThanOrEqualTo(5).allSatisfy(b -> assertThat(b).endsWith(" enabled"));
        long version = cluster.lab.documentVersion("node2");
        // what a forged cross-site request could at most carry: the cookie, without the token it cannot read
        String cookie = "vigil-console=" + browser.manage().getCookieNamed("vigil-console").getValue();
        HttpClient client = HttpClient.newBuilder().sslContext(trustTheNode).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> forged = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + consolePort
                + "/api/v1/maintenance")).header("Cookie", cookie).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"mode\": \"on\"}")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
        assertThat(forged.body()).contains("X-Vigil-Csrf");
        assertThat(cluster.lab.documentVersion("node2")).isEqualTo(version);
    }

    @Test
    @Order(4)
    void thePageShowsAFailoverWithinASecondOfItHappening() {
        // a mark in the page's JavaScript state: a reload would lose it
        ((JavascriptExecutor) browser).executeScript("window.consoleItMark = 'kept';");
        Lab.Crash crash = cluster.lab.crash("node1");
        WebCluster.log("console: node1 crashed: %s", crash.output());
        long served = cluster.awaitServedBy("node2", Duration.ofSeconds(30));
        assertThat(served).as("node2 serves within 30 s").isPositive();
        awaitPage("web shown on node2", () -> "node2".equals(groupRow("web").getAttribute("data-running-on")));
        long shown = Long.parseLong(onPage(() -> groupRow("web").getAttribute("data-changed-at")));
        WebCluster.log("console: the service answered from node2 at %d, the page showed it at %d: %+d ms", served, shown,
                shown - served);
        assertThat(shown - served).as("ms from the service answering on node2 to the page showing it").isLessThan(1000);
        assertThat(browser.getCurrentUrl()).as("no reload, no navigation").isEqualTo(consoleUrl);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.consoleItMark;")).as("no reload").isEqualTo("kept");
        awaitPage("node1 lost", () -> "lost".equals(nodeRow("node1").getAttribute("data-state")));
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
    }

    @Test
    @Order(5)
    void aSwitchoverClickedInThePageMovesTheGroup() throws Exception {
        cluster.lab.start("node1");
        cluster.lab.awaitOnline("node2", "node1", Duration.ofSeconds(30));
        cluster.lab.awaitOnline("node1", "node2", Duration.ofSeconds(30));
        awaitPage("node1 online again", () -> "online".equals(nodeRow("node1").getAttribute("data-state")));
        long version = cluster.lab.documentVersion("node2");

        onPage(() -> {
            groupRow("web").findElement(By.cssSelector("button[data-action=switchover]")).click();
            return true;
        });
        awaitPage("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-cancel")).click();
        awaitPage("cancelled", () -> browser.findElement(By.id("message")).getText().contains("Cancelled"));
        Lab.sleep(1000);
        assertThat(cluster.lab.documentVersion("node2")).as("cancelled: nothing changed").isEqualTo(version);
        assertThat(Http.servedBy(cluster.port)).isEqualTo("node2");

        onPage(() -> {
            groupRow("web").findElement(By.cssSelector("button[data-action=switchover]")).click();
            return true;
        });
        awaitPage("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(browser.findElement(By.id("confirm-text")).getText()).contains("Switch group web over");
        new Select(browser.findElement(By.id("confirm-node"))).selectByValue("node1");
        browser.findElement(By.id("confirm-ok")).click();
        awaitPage("the switchover succeeded", () -> browser.findElement(By.id("message")).getText().startsWith("succeeded"));
        assertThat(browser.findElement(By.id("message")).getText()).contains("switchover of web from node2 to node1");
        assertThat(Http.servedBy(cluster.port)).as("the service answers from node1").isEqualTo("node1");
        awaitPage("web shown on node1", () -> "node1".equals(groupRow("web").getAttribute("data-running-on")));
        assertThat(audit("node2")).containsPattern("user=operator from=127\\.0\\.0\\.1 POST /api/v1/groups/web/switchover "
                + "vigil:switchover --wait 60 web node1 -> 202 operation op-\\d+");
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
        awaitPage("the events of the failover and the switchover", () -> browser.findElements(By.cssSelector("#events li")).size() >= 2);
        screenshot();
    }

    @Test
    @Order(6)
    void broughtOutInThePageTheGroupShowsWhyItIsNotPlacedAndBroughtInItRunsAgain() {
        clickAndConfirm("bring-out");
        awaitPage("brought out", () -> browser.findElement(By.id("message")).getText().contains("group web brought out"));
        awaitPage("web shown nowhere", () -> "".equals(groupRow("web").getAttribute("data-running-on")));
        assertThat(onPage(() -> groupRow("web").findElement(By.className("placement")).getText()))
                .as("why it is not placed").startsWith("not placed: ").contains("stopped by the admin");
        await("the service stopped", () -> cluster.watch.nodesNow().isEmpty() && Http.servedBy(cluster.port) == null);
        clickAndConfirm("bring-in");
        awaitPage("the bring-in succeeded", () -> browser.findElement(By.id("message")).getText().startsWith("succeeded"));
        String on = cluster.awaitSingleActive(Duration.ofSeconds(30));
        awaitPage("web shown running again", () -> on.equals(groupRow("web").getAttribute("data-running-on")));
        assertThat(cluster.watch.overlaps()).as("sampled instants at which both nodes ran the service").isEmpty();
    }

    @Test
    @Order(7)
    void closingTheConsoleChangesNothing() {
        long version = cluster.lab.documentVersion("node2");
        String on = cluster.awaitSingleActive(Duration.ofSeconds(10));
        quitBrowsers();
        Lab.sleep(3000);
        assertThat(cluster.lab.documentVersion("node2")).isEqualTo(version);
        assertThat(cluster.awaitSingleActive(Duration.ofSeconds(10))).isEqualTo(on);
        assertThat(cluster.lab.cliOk("node2", "vigil:status")).containsPattern("web\\s+on " + on + "\\s");
    }

    private static void clickAndConfirm(String action) {
        onPage(() -> {
            groupRow("web").findElement(By.cssSelector("button[data-action=" + action + "]")).click();
            return true;
        });
        awaitPage("the confirmation", () -> browser.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-ok")).click();
    }

    // ---------------------------------------------------------------- helpers

    private static WebDriver newBrowser() {
        Path profile;
        try {
            profile = Files.createTempDirectory(cluster.lab.dir(), "chromium-"); // a fresh profile: no cookie of an earlier run
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        profiles.add(profile);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--user-data-dir=" + profile, "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--ignore-certificate-errors-spki-list=" + System.getProperty("vigil.console.spki"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                .usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        browsers.add(d);
        return d;
    }

    private static synchronized void quitBrowsers() {
        for (WebDriver d : browsers) {
            try {
                d.quit();
            } catch (RuntimeException e) {
                WebCluster.log("console: quitting the browser: %s", e);
            }
        }
        browsers.clear();
        for (Path p : profiles) {
            try (java.util.stream.Stream<Path> all = Files.walk(p)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                WebCluster.log("console: deleting the browser profile %s: %s", p, e);
            }
        }
        profiles.clear();
    }

    private static void login(String user, String password) {
        WebElement u = browser.findElement(By.id("login-user"));
        u.clear();
        u.sendKeys(user);
        WebElement p = browser.findElement(By.id("login-password"));
        p.clear();
        p.sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
    }

    private static WebElement groupRow(String group) {
        return browser.findElement(By.cssSelector("#groups tr[data-group='" + group + "']"));
    }

    private static WebElement nodeRow(String node) {
        return browser.findElement(By.cssSelector("#nodes tr[data-node='" + node + "']"));
    }

    /** @return what {@code read} reads from the page, read again when the page redrew it meanwhile (up to 10 s) */
    private static <T> T onPage(java.util.function.Supplier<T> read) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return read.get();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Lab.sleep(20);
            }
        }
    }

    /** Polls the page every 50 ms (element lookups that fail count as not yet). */
    private static void awaitPage(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
                last = e;
            }
            Lab.sleep(50);
        }
        throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what
                + (last == null ? "" : " (last: " + last.getMessage().lines().findFirst().orElse("") + ")"));
    }

    private static void await(String what, BooleanSupplier condition) {
        RestAccess.await(what, WAIT, condition);
    }

    private static void screenshot() throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of("target/console.png").toAbsolutePath();
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        WebCluster.log("console: screenshot in %s", target);
    }

    private static String audit(String node) {
        try {
            Path f = cluster.lab.dir().resolve(node).resolve("data/log/vigil-audit.log");
            return Files.exists(f) ? Files.readString(f) : "(none)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
