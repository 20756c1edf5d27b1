package org.vigil.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route table: each endpoint becomes the shell command an admin would type, bad requests a 4xx naming the parameter. */
class RoutesTest {

    private static Routes.Route route(String method, String path, String body) throws ApiError {
        int q = path.indexOf('?');
        return Routes.route(method, q < 0 ? path : path.substring(0, q), q < 0 ? null : path.substring(q + 1), body);
    }

    private static ShellCall change(String method, String path, String body) throws ApiError {
        Routes.Route r = route(method, path, body);
        assertThat(r).isInstanceOf(Routes.Change.class);
        assertThat(r.changes()).isTrue();
        return ((Routes.Change) r).call();
    }

    private static ApiError refused(String method, String path, String body) {
        try {
            route(method, path, body);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError(method + " " + path + " " + body + " was accepted");
    }

    @Test
    void readsAreTheStatusAndDocumentCommandsAndChangeNothing() throws ApiError {
        Routes.Route status = route("GET", "/api/v1/status", null);
        assertThat(status).isEqualTo(new Routes.Read(new ShellCall.Builder("status").option("--json").build(), true));
        assertThat(status.changes()).isFalse();
        assertThat(((Routes.Read) route("GET", "/api/v1/document", "")).call().display()).isEqualTo("vigil:document");
        assertThat(((Routes.Read) route("GET", "/api/v1/alerts", null)).json()).isFalse();
        assertThat(route("GET", "/api/v1/operations/op-7", null)).isEqualTo(new Routes.OperationLookup("op-7"));
        assertThat(route("GET", "/api/v1/operations", null)).isEqualTo(new Routes.OperationList());
        assertThat(route("GET", "/api/v1/metrics", null)).isEqualTo(new Routes.Text(new ShellCall.Builder("metrics").build(),
                "text/plain; version=0.0.4; charset=utf-8"));
    }

    @Test
    void switchoverIsALongOperationWaitingSixtySecondsByDefault() throws ApiError {
        ShellCall c = change("POST", "/api/v1/groups/web/switchover", "{\"node\": \"node2\"}");
        assertThat(c.longRunning()).isTrue();
        assertThat(c.group()).isEqualTo("web");
        assertThat(c.display()).isEqualTo("vigil:switchover --wait 60 web node2");
        assertThat(change("POST", "/api/v1/groups/web/switchover", "").display()).isEqualTo("vigil:switchover --wait 60 web");
        assertThat(change("POST", "/api/v1/groups/web/switchover", "{\"wait\":5}").display())
                .isEqualTo("vigil:switchover --wait 5 web");
    }

    @Test
    void bringInIsLongOnlyWhenItWaits() throws ApiError {
        assertThat(change("POST", "/api/v1/groups/web/bring-in", "{}").longRunning()).isFalse();
        ShellCall c = change("POST", "/api/v1/groups/web/bring-in", "{\"node\":\"node1\",\"wait\":30}");
        assertThat(c.longRunning()).isTrue();
        assertThat(c.display()).isEqualTo("vigil:bring-in --wait 30 web node1");
    }

    @Test
    void everyChangeMapsOntoItsShellCommand() throws ApiError {
        assertThat(change("POST", "/api/v1/groups", "{\"name\":\"db\",\"stopped\":true,\"preferred\":[\"node1\",\"node2\"],"
                + "\"failback\":\"auto\",\"failbackDelay\":10,\"maxRestarts\":2,\"restartWindow\":30}").display())
                .isEqualTo("vigil:group-add --stopped --preferred node1,node2 --failback auto --failback-delay 10"
                        + " --max-restarts 2 --restart-window 30 db");
        assertThat(change("PATCH", "/api/v1/groups/db", "{\"preferred\":\"node2,node1\"}").display())
                .isEqualTo("vigil:group-set --preferred node2,node1 db");
        assertThat(change("DELETE", "/api/v1/groups/db?force=true", null).display()).isEqualTo("vigil:group-remove --force db");
        assertThat(change("POST", "/api/v1/groups/db/resources", "{\"name\":\"db-ip\",\"type\":\"ip\",\"before\":\"db-server\","
                + "\"parameters\":{\"address\":\"192.0.2.10/24\",\"interface\":\"eth0\"}}").display())
                .isEqualTo("vigil:resource-add --before db-server db db-ip ip address=192.0.2.10/24 interface=eth0");
        assertThat(change("DELETE", "/api/v1/resources/db-ip", null).display()).isEqualTo("vigil:resource-remove db-ip");
        assertThat(change("PATCH", "/api/v1/resources/db-ip", "{\"parameters\":{\"address\":\"192.0.2.11/24\"},"
                + "\"unset\":[\"interface\",\"dad-wait\"]}").display())
                .isEqualTo("vigil:resource-set --unset interface --unset dad-wait db-ip address=192.0.2.11/24");
        assertThat(change("POST", "/api/v1/groups/db/bring-out", null).display()).isEqualTo("vigil:bring-out db");
        assertThat(change("POST", "/api/v1/groups/db/cleanup", null).display()).isEqualTo("vigil:cleanup db");
        assertThat(change("POST", "/api/v1/maintenance", "{\"mode\":\"on\",\"group\":\"db\"}").display())
                .isEqualTo("vigil:maintenance --group db on");
        assertThat(change("POST", "/api/v1/maintenance", "{\"mode\":\"off\"}").group()).isNull();
        ShellCall fence = change("POST", "/api/v1/nodes/node2/fence", "{\"status\":true,\"wait\":30}");
        assertThat(fence.display()).isEqualTo("vigil:fence --status --wait 30 node2");
        assertThat(fence.longRunning()).isTrue();
        assertThat(change("POST", "/api/v1/nodes/node2/fence-confirm", null).display()).isEqualTo("vigil:fence-confirm node2");
    }

    @Test
    void anUnknownParameterIsRefusedByName() {
        ApiError e = refused("POST", "/api/v1/groups/web/switchover", "{\"node\":\"node2\",\"colour\":\"red\"}");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.parameter()).isEqualTo("colour");
        assertThat(e.getMessage()).contains("unknown parameter 'colour'").contains("node, wait");
        assertThat(refused("GET", "/api/v1/status?verbose=1", null).parameter()).isEqualTo("verbose");
    }

    @Test
    void badJsonAndBadTypesAreRefusedNamingWhatIsWrong() {
        ApiError e = refused("POST", "/api/v1/groups", "{\"name\": ");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.parameter()).isEqualTo("body");
        assertThat(e.getMessage()).contains("not valid JSON").contains("offset");
        assertThat(refused("POST", "/api/v1/groups", "[1]").getMessage()).contains("must be a JSON object");
        assertThat(refused("POST", "/api/v1/groups/web/switchover", "{\"wait\":\"soon\"}").parameter()).isEqualTo("wait");
        assertThat(refused("POST", "/api/v1/groups/web/switchover", "{\"wait\":0}").getMessage()).contains("between 1 and 3600");
        assertThat(refused("POST", "/api/v1/groups", "{}").getMessage()).isEqualTo("parameter 'name' is required");
        assertThat(refused("POST", "/api/v1/groups", "{\"name\":\"a\",\"failback\":\"sometimes\"}").parameter())
                .isEqualTo("failback");
        assertThat(refused("POST", "/api/v1/maintenance", "{\"mode\":\"maybe\"}").parameter()).isEqualTo("mode");
        assertThat(refused("POST", "/api/v1/groups/a/resources", "{\"name\":\"r\",\"type\":\"t\",\"parameters\":{\"x y\":\"1\"}}")
                .parameter()).isEqualTo("parameters.x y");
        assertThat(refused("POST", "/api/v1/groups", "{\"name\":\"a\",\"name\":\"b\"}").getMessage()).contains("given twice");
    }

    @Test
    void noValueCanBecomeAnOption() {
        assertThat(refused("POST", "/api/v1/groups/web/switchover", "{\"node\":\"--force\"}").parameter()).isEqualTo("node");
        assertThat(refused("DELETE", "/api/v1/groups/--force", null).parameter()).isEqualTo("group");
        assertThat(refused("POST", "/api/v1/groups", "{\"name\":\"\"}").getMessage()).contains("must not be empty");
    }

    @Test
    void valuesReachTheShellAsVariablesNeverAsCommandText() throws ApiError {
        ShellCall c = change("POST", "/api/v1/groups/web/resources",
                "{\"name\":\"r1\",\"type\":\"process\",\"parameters\":{\"command\":\"exec x; vigil:group-remove --force web\"}}");
        Map<String, Object> vars = new LinkedHashMap<>();
        assertThat(c.commandLine(vars)).isEqualTo("vigil:resource-add $v0 $v1 $v2 $v3");
        assertThat(vars).containsEntry("v0", "web").containsEntry("v3", "command=exec x; vigil:group-remove --force web");
    }

    @Test
    void unknownEndpointsAndMethodsAreTold() {
        assertThat(refused("GET", "/api/v1/nothing", null).status()).isEqualTo(404);
        assertThat(refused("GET", "/other", null).status()).isEqualTo(404);
        assertThat(refused("POST", "/api/v1/status", null).status()).isEqualTo(405);
        assertThat(refused("GET", "/api/v1/groups/web/switchover", null).status()).isEqualTo(405);
        assertThatThrownBy(() -> route("PUT", "/api/v1/groups/web", "{}")).isInstanceOf(ApiError.class)
                .hasMessageContaining("use DELETE");
    }
}
