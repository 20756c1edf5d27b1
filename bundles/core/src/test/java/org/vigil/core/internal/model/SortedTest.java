package org.vigil.core.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.policy.GroupReport;
import org.vigil.core.internal.policy.NodeReport;
import org.vigil.core.internal.policy.ResourceState;

class SortedTest {

    private static final List<String> NAMES = List.of("node1", "node2", "node3", "node4", "node5", "node6");
    private static final List<String> REVERSED = List.of("node6", "node5", "node4", "node3", "node2", "node1");

    @Test
    void copiesIterateInNameOrderWhateverOrderTheyWereGivenIn() {
        Map<String, Integer> reversed = new LinkedHashMap<>();
        REVERSED.forEach(n -> reversed.put(n, n.length()));
        assertThat(Sorted.copyOf(reversed).keySet()).containsExactlyElementsOf(NAMES);
        assertThat(Sorted.copyOf(REVERSED)).containsExactlyElementsOf(NAMES);
        assertThat(Sorted.copyOf(reversed)).isEqualTo(Map.copyOf(reversed));
    }

    /** What a heartbeat carries and what the policy walks: the same order in every JVM (Map.copyOf's is salted). */
    @Test
    void reportsKeepTheirGroupsTypesAndResourcesInNameOrder() {
        Map<String, ResourceState> resources = new HashMap<>();
        NAMES.forEach(n -> resources.put("r-" + n, ResourceState.RUNNING));
        Map<String, GroupReport> groups = new LinkedHashMap<>();
        REVERSED.forEach(n -> groups.put("g-" + n, new GroupReport(resources, false, "")));
        NodeReport r = new NodeReport(1, Set.of("sim", "ip", "fs", "pg", "smb", "cups"), true, groups, true, -1,
                Set.copyOf(NAMES));
        assertThat(r.groups().keySet()).containsExactlyElementsOf(NAMES.stream().map(n -> "g-" + n).toList());
        assertThat(r.types()).containsExactly("cups", "fs", "ip", "pg", "sim", "smb");
        assertThat(r.hears()).containsExactlyElementsOf(NAMES);
        assertThat(r.group("g-node1").resources().keySet())
                .containsExactlyElementsOf(NAMES.stream().map(n -> "r-" + n).toList());
    }

    @Test
    void nullsAndChangesAreRefusedLikeMapCopyOf() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("node1", null);
        assertThatThrownBy(() -> Sorted.copyOf(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("node1");
        assertThatThrownBy(() -> Sorted.copyOf(Arrays.asList("a", null))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Sorted.copyOf(NAMES).add("node7")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Sorted.copyOf(Map.of("a", 1)).put("b", 2))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
