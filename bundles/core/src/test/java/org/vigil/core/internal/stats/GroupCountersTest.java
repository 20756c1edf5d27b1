package org.vigil.core.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupCountersTest {

    private final GroupCounters c = new GroupCounters();

    @Test
    void aGroupArrivingFromAnotherNodeIsAFailoverUnlessASwitchoverNamesThisNode() {
        c.observe("n2", Map.of("web", Set.of("n1")), Set.of());
        c.observe("n2", Map.of("web", Set.of()), Set.of()); // n1 lost: the group runs nowhere for a while
        c.observe("n2", Map.of("web", Set.of("n2")), Set.of());
        c.observe("n2", Map.of("web", Set.of("n2")), Set.of()); // still here: counted once
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(1, 0, 0));

        c.observe("n2", Map.of("web", Set.of("n1")), Set.of()); // moved away again (counted by n1)
        c.observe("n2", Map.of("web", Set.of("n2")), Set.of("web"));
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(1, 1, 0));
    }

    @Test
    void aFirstStartOrAGroupRunningHereAllAlongIsNoTakeover() {
        c.observe("n1", Map.of("web", Set.of()), Set.of());
        c.observe("n1", Map.of("web", Set.of("n1")), Set.of());
        c.observe("n1", Map.of("web", Set.of("n1")), Set.of());
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(0, 0, 0));
    }

    @Test
    void restartsCountPerGroupAndARemovedGroupIsForgotten() {
        c.observe("n1", Map.of("web", Set.of("n1")), Set.of());
        c.restarted("web");
        c.restarted("web");
        assertThat(c.of("web").restarts()).isEqualTo(2);
        c.observe("n1", Map.of(), Set.of());
        assertThat(c.of("web")).isEqualTo(new GroupCounters.Counts(0, 0, 0));
    }
}
