package org.vigil.metrics.internal;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.vigil.plugin.support.json.JsonParser;

/**
 * {@code vigil:metrics}: this node's metrics in the Prometheus text format (version 0.0.4), as the REST API serves
 * them at {@code /api/v1/metrics}. Like the {@code vigil:*} commands of the core, it ends with the outcome line
 * {@code <token> exit <status>} when the session variable {@code VIGIL_CLI} holds a token (docs/cli.md).
 */
@Command(scope = "vigil", name = "metrics", description = "Prints this node's metrics in the Prometheus text format "
        + "(served by the REST API at /api/v1/metrics)")
@Service
public class MetricsCommand implements Action {

    /** The media type of what this command prints. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final int MAX_DEPTH = 32;

    @Reference
    SessionFactory sessions;

    @Reference
    Session session;

    @Override
    public Object execute() throws Exception {
        String text;
        try {
            text = render(new StatusSource(sessions).read());
        } catch (IllegalArgumentException | IllegalStateException e) {
            outcome(5);
            throw new IllegalStateException("no metrics: " + e.getMessage(), e);
        }
        System.out.print(text);
        System.out.flush();
        outcome(0);
        return null;
    }

    /**
     * @param statusJson what {@code vigil:status --json} printed
     * @return the metrics text
     * @throws IllegalArgumentException when it is not a status this bundle knows
     */
    static String render(String statusJson) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, StatusMetrics.of(parseStatus(statusJson.strip())),
                    EscapingScheme.ALLOW_UTF8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // a byte array does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** @return the status as maps and lists; fails naming the offset when it is not JSON (an error message, say) */
    private static Object parseStatus(String json) {
        try {
            return JsonParser.parse(json, MAX_DEPTH);
        } catch (JsonParser.Malformed e) {
            throw new IllegalArgumentException("the status is not valid JSON at offset " + e.offset() + ": " + e.what(), e);
        }
    }

    private void outcome(int status) {
        Object token = session == null ? null : session.get("VIGIL_CLI");
        if (token instanceof String t && !t.isEmpty()) {
            System.out.println(t + " exit " + status);
        }
    }
}
