package org.vigil.core.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.membership.PathCounters;

class PathReadinessTest {

    private static PathStatus path(String name, PathState state, String detail) {
        return new PathStatus(name, "udp", state, detail, new PathCounters());
    }

    @Test
    void noOpenPathNamesEachPathAndWhy() {
        Map<String, PathStatus> paths = new TreeMap<>();
        paths.put("lan", path("lan", PathState.INVALID, "bind: '127.0.0.1:99999' is not address:port"));
        paths.put("serial", path("serial", PathState.WAITING, "transport 'serial' is not installed"));
        assertThat(PathReadiness.problem(paths)).startsWith("no open heartbeat path (")
                .contains("lan: invalid, bind: '127.0.0.1:99999'").contains("serial: waiting")
                .endsWith("this node starts nothing until one opens");
    }

    @Test
    void oneOpenPathIsEnough() {
        Map<String, PathStatus> paths = new TreeMap<>();
        paths.put("lan", path("lan", PathState.FAILED, "bind failed"));
        paths.put("private", path("private", PathState.OPEN, ""));
        assertThat(PathReadiness.problem(paths)).isNull();
    }

    @Test
    void aPathWhoseLinkIsDownIsTheNetworksStateNotAConfigurationProblem() {
        // the survivor of a power loss on back-to-back cables: every link lost carrier with the peer; it must take over
        Map<String, PathStatus> paths = new TreeMap<>();
        paths.put("hb1", path("hb1", PathState.LINK_DOWN, "interface eth1 holding 203.0.113.2 is down"));
        paths.put("hb2", path("hb2", PathState.LINK_DOWN, "interface eth2 holding 203.0.113.130 is down"));
        assertThat(PathReadiness.problem(paths)).isNull();
    }

    @Test
    void aNodeWithoutAnyConfiguredPathIsAOneNodeClusterAndNotHeldBack() {
        assertThat(PathReadiness.problem(Map.of())).isNull();
    }
}
