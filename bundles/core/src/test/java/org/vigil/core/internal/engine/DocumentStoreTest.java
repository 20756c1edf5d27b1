package org.vigil.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.core.internal.model.ClusterDocument;

/** A peer's document that jumps beyond a sane step is refused: adopted, it would block every later change. */
class DocumentStoreTest {

    @TempDir
    Path dir;

    private static ClusterDocument at(long version) {
        return new ClusterDocument(version, "node2", false, java.util.List.of());
    }

    @Test
    void aDocumentAtTheLargestVersionIsRefusedAndLaterChangesStillWork() {
        AtomicInteger changes = new AtomicInteger();
        DocumentStore store = new DocumentStore(dir.resolve("cluster.json"), changes::incrementAndGet);
        assertThat(store.offer(at(3), "node2")).isTrue();
        assertThat(store.offer(at(Long.MAX_VALUE), "node2")).as("version 2^63-1").isFalse();
        assertThat(store.current().version()).isEqualTo(3);
        assertThat(store.update(d -> d.nextWithMaintenance("node1", true)).version()).isEqualTo(4);
        assertThat(new DocumentStore(dir.resolve("cluster.json"), () -> { }).current().version())
                .as("what is on disk").isEqualTo(4);
        assertThat(changes.get()).isEqualTo(2);
    }

    @Test
    void aStepUpToTheLimitIsAdoptedOneBeyondIsNot() {
        DocumentStore store = new DocumentStore(dir.resolve("cluster.json"), () -> { });
        assertThat(store.offer(at(DocumentStore.MAX_STEP + 1), "node2")).isFalse();
        assertThat(store.offer(at(DocumentStore.MAX_STEP), "node2")).isTrue();
        assertThat(store.offer(at(2 * DocumentStore.MAX_STEP), "node2")).isTrue();
        assertThat(store.offer(at(3 * DocumentStore.MAX_STEP + 1), "node2")).isFalse();
        assertThat(store.current().version()).isEqualTo(2 * DocumentStore.MAX_STEP);
    }
}
