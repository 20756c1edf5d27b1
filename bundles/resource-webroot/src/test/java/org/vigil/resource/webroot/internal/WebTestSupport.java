package org.vigil.resource.webroot.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.vigil.plugin.support.Programs;
import org.vigil.tck.AgentTestSupport;

/**
 * Shared by the web root tests: prerequisites, a web root nginx's workers can read, GETs (free ports, process
 * groups, sockets and deleteTree are in agent-tck's AgentTestSupport).
 */
final class WebTestSupport {

    private WebTestSupport() {
    }

    /** Skips with the reason when nginx is missing, or fails when CI=true: CI must run every test. */
    static void assumeNginx() {
        if (Programs.resolve("nginx") == null) {
            String reason = "needs nginx (Debian package nginx-light or nginx; scripts/test.sh installs it as root)";
            AgentTestSupport.skipOrFail(reason);
        }
    }

    /** @return a new directory readable by everyone (nginx's workers run as www-data) */
    static Path webRoot() throws IOException {
        return Files.createTempDirectory("vigil-webroot-test-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /** @return the status and body of a GET, or throws */
    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
