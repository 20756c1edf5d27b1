package org.vigil.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {

    @TempDir
    Path dir;

    @Test
    void missingOrUnreadableLogGivesNothing() {
        Path missing = dir.resolve("missing.log");
        assertThat(LogTail.size(missing)).isZero();
        assertThat(LogTail.describe(missing, 0)).isEmpty();
        assertThat(LogTail.size(Path.of("/dev/null"))).isZero();
        assertThat(LogTail.describe(Path.of("/dev/null"), 0)).isEmpty();
    }

    @Test
    void quotesTheLastFiveNonEmptyLines() throws Exception {
        Path log = dir.resolve("p.log");
        Files.writeString(log, "one\ntwo\n\nthree\n  four  \nfive\nsix\n");
        assertThat(LogTail.size(log)).isEqualTo(Files.size(log));
        assertThat(LogTail.describe(log, 0)).isEqualTo("; last output: two | three | four | five | six");
    }

    @Test
    void skipsWhatAnEarlierRunWrote() throws Exception {
        Path log = dir.resolve("p.log");
        Files.writeString(log, "old run\n");
        long from = LogTail.size(log);
        assertThat(LogTail.describe(log, from)).isEmpty();
        Files.writeString(log, "old run\nnew run\n");
        assertThat(LogTail.describe(log, from)).isEqualTo("; last output: new run");
    }

    @Test
    void dropsTheFirstLineWhenOnlyTheEndOfALongLogIsRead() throws Exception {
        Path log = dir.resolve("p.log");
        String filler = "x".repeat(5000);
        Files.writeString(log, filler + "\nlast\n", StandardCharsets.UTF_8);
        assertThat(LogTail.describe(log, 0)).isEqualTo("; last output: last");
    }
}
