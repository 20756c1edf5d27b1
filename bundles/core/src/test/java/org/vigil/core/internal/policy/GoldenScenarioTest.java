package org.vigil.core.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vigil.api.resource.StopProof;

/**
 * Runs every scenario under {@code src/test/resources/scenarios}: each folder holds {@code input.json}
 * (a described cluster snapshot) and {@code expected.txt} (the decision, rendered). Expected output is
 * regenerated only on purpose: {@code mvn test -Dvigil.regenerate=true}, then review the diff.
 */
class GoldenScenarioTest {

    static final Path SCENARIOS = Paths.get("src/test/resources/scenarios");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(SCENARIOS)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> run(dir)));
    }

    @Test
    void thereAreEnoughScenariosToMeanSomething() throws IOException {
        try (Stream<Path> s = Files.list(SCENARIOS)) {
            assertThat(s.filter(Files::isDirectory).count()).isGreaterThanOrEqualTo(25);
        }
    }

    private void run(Path dir) throws IOException {
        String input = Files.readString(dir.resolve("input.json"), StandardCharsets.UTF_8);
        String actual = render(ScenarioLoader.describe(input), Policy.decide(ScenarioLoader.load(input)))
                + renderProofs(StopProofs.of(ScenarioLoader.load(input)));
        // The policy is pure: deciding twice on the same input gives the same output.
        assertThat(render(ScenarioLoader.describe(input), Policy.decide(ScenarioLoader.load(input)))
                + renderProofs(StopProofs.of(ScenarioLoader.load(input)))).isEqualTo(actual);
        Path expectedFile = dir.resolve("expected.txt");
        if (Boolean.getBoolean("vigil.regenerate") || !Files.exists(expectedFile)) {
            Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
            if (!Boolean.getBoolean("vigil.regenerate")) {
                throw new AssertionError("no expected.txt in " + dir + "; wrote one from the current policy: review it");
            }
        }
        assertThat(actual).as("scenario " + dir.getFileName()).isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
    }

    /** What agents starting a group here are told of lost nodes ({@link StopProofs}); nothing when none is proven. */
    static String renderProofs(Map<String, Map<String, StopProof>> proofs) {
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(proofs).forEach((g, byNode) -> new java.util.TreeMap<>(byNode).forEach((n, p) ->
                b.append("agents starting ").append(g).append(" are told: ").append(n).append(" stopped, ")
                        .append(p.kind()).append(": ").append(p.detail()).append('\n')));
        return b.toString();
    }

    static String render(String description, Decision d) {
        StringBuilder b = new StringBuilder("# ").append(description).append('\n');
        for (Map.Entry<String, Decision.Placement> e : d.placements().entrySet()) {
            b.append("placement ").append(e.getKey()).append(" -> ")
                    .append(e.getValue().target() == null ? "(none)" : e.getValue().target())
                    .append(": ").append(e.getValue().reason()).append('\n');
        }
        if (d.actions().isEmpty()) {
            b.append("no actions\n");
        }
        for (Action a : d.actions()) {
            b.append("action ").append(a.render()).append('\n');
        }
        return b.toString();
    }
}
