package org.vigil.core.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Program output and peers' text made safe for terminals, heartbeats and the document. */
class TextTest {

    private static String controls(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) (1 + i % 31));
        }
        return b.toString();
    }

    @Test
    void aSummaryOfAnyOutputIsBoundedHasNoControlCharacterAndSaysWhatWasCut() {
        String note = "start of app failed: FAILED: exited with status 1; last output: " + controls(4000) + " | "
                + "a line of text the program wrote ".repeat(50) + "\u0007";
        String s = Text.summary(note, Text.NOTE_MAX);
        assertThat(s.length()).isLessThanOrEqualTo(Text.NOTE_MAX);
        assertThat(Text.firstControl(s)).isEqualTo(-1);
        assertThat(s).startsWith("start of app failed: FAILED: exited with status 1; last output: \\x.. | a line of")
                .contains("more characters; see the node's log");
        assertThat(Text.summary(note, Text.NOTE_MAX)).as("deterministic").isEqualTo(s);
        assertThat(Text.summary("plain words", 100)).isEqualTo("plain words");
    }

    @Test
    void escapingShowsEveryControlCharacterAndKeepsTheRest() {
        assertThat(Text.escape("a\u0007b\nc\td\u001b[31me\u009bf\u007fé")).isEqualTo("a\\x07b\\nc\\td\\x1b[31me\\x9bf\\x7fé");
        assertThat(Text.escape(null)).isEmpty();
    }

    @Test
    void aValueWithAControlCharacterIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> Text.checkNoControls("parameter command", "echo \u001b]0;owned\u0007"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter command")
                .hasMessageContaining("\\x1b").hasMessageContaining("position 6").hasMessageNotContaining("\u001b");
        Text.checkNoControls("parameter command", "exec /usr/bin/app --name 'é'");
    }

    @Test
    void aTerminalStreamPassesTextAndLineBreaksAndEscapesControls() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = Text.terminal(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        out.println("BANNED on node1: \u001b[2J\u0007 gone é\u0085x");
        out.printf("  %s%n", "tab\there");
        out.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("BANNED on node1: \\x1b[2J\\x07 gone é\\x85x\n  tab\there\n");
    }
}
