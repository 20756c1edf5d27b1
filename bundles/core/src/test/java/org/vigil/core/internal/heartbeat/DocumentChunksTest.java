package org.vigil.core.internal.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;
import org.vigil.core.internal.model.ResourceDef;

/** A document larger than a path's frame crosses in pieces; a piece that does not belong is refused. */
class DocumentChunksTest {

    static ClusterDocument withCommand(int chars) {
        String command = "exec /usr/bin/app " + "x".repeat(chars);
        return ClusterDocument.empty().next("node1", l -> {
            l.add(GroupDef.create("web").withResources(List.of(new ResourceDef("app", "process", Map.of("command", command)))));
            return l;
        });
    }

    @Test
    void aDocumentThatFitsGoesWholeAsBefore() {
        ClusterDocument d = withCommand(10);
        List<byte[]> p = DocumentChunks.split(d, 65_000);
        assertThat(p).hasSize(1);
        assertThat(new String(p.get(0), StandardCharsets.UTF_8)).isEqualTo(d.toJson());
        assertThat(new DocumentChunks().accept("node1", p.get(0))).isEqualTo(d);
    }

    @Test
    void a3000CharacterCommandCrossesA566BytePathInPiecesInAnyOrderWithDuplicates() {
        ClusterDocument d = withCommand(3000);
        List<byte[]> pieces = DocumentChunks.split(d, 566);
        assertThat(pieces.size()).isGreaterThan(5);
        assertThat(pieces).allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(566));
        List<byte[]> shuffled = new ArrayList<>(pieces);
        shuffled.add(pieces.get(2));
        Collections.shuffle(shuffled, new Random(9));
        DocumentChunks rx = new DocumentChunks();
        ClusterDocument got = null;
        for (byte[] b : shuffled) {
            ClusterDocument r = rx.accept("node1/lan", b);
            if (r != null) {
                assertThat(got).as("completed once").isNull();
                got = r;
            }
        }
        assertThat(got).isEqualTo(d);
    }

    @Test
    void piecesOfANewerDocumentReplaceAnUnfinishedOne() {
        ClusterDocument older = withCommand(3000);
        ClusterDocument newer = older.nextWithMaintenance("node1", true);
        DocumentChunks rx = new DocumentChunks();
        assertThat(rx.accept("node1", DocumentChunks.split(older, 600).get(0))).isNull();
        ClusterDocument got = null;
        for (byte[] b : DocumentChunks.split(newer, 600)) {
            got = rx.accept("node1", b);
        }
        assertThat(got).isEqualTo(newer);
    }

    @Test
    void aPieceThatLiesAboutItsDocumentOrBoundsIsRefused() {
        ClusterDocument d = withCommand(3000);
        List<byte[]> pieces = DocumentChunks.split(d, 1000);
        DocumentChunks rx = new DocumentChunks();
        for (int i = 0; i < pieces.size(); i++) {
            byte[] b = pieces.get(i);
            if (i == pieces.size() - 1) {
                String s = new String(b, StandardCharsets.UTF_8).replace(d.digest(), "0".repeat(d.digest().length()));
                for (int j = 0; j < pieces.size() - 1; j++) {
                    rx.accept("x", new String(pieces.get(j), StandardCharsets.UTF_8).replace(d.digest(),
                            "0".repeat(d.digest().length())).getBytes(StandardCharsets.UTF_8));
                }
                assertThatThrownBy(() -> rx.accept("x", s.getBytes(StandardCharsets.UTF_8)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("digest");
            }
        }
        assertThatThrownBy(() -> rx.accept("y", "VDC1 2 abc 5 3 100\nxx".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of bounds");
        assertThatThrownBy(() -> rx.accept("y", "VDC1 2 abc 0 1 999999999\nxx".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of bounds");
        assertThatThrownBy(() -> rx.accept("y", "garbage".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
        assertThat(DocumentChunks.split(d, 100)).as("a path too small for any piece").isEmpty();
    }
}
