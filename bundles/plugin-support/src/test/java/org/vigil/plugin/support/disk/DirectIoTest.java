package org.vigil.plugin.support.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DirectIoTest {

    @Test
    void blocksWrittenPastTheCacheReadBackAndMisalignedOrShortTransfersAreRefused() throws IOException {
        Path file = Path.of("target", "direct-io-" + ProcessHandle.current().pid() + ".img").toAbsolutePath();
        Files.createDirectories(file.getParent());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(4 * DirectIo.BLOCK);
        }
        try {
            try {
                DirectIo.read(file, 0, DirectIo.BLOCK);
            } catch (IOException e) {
                String reason = "the build directory's file system does not support O_DIRECT (" + e + ")";
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError("CI=true: " + reason, e);
                }
                Assumptions.abort(reason);
            }
            byte[] two = new byte[2 * DirectIo.BLOCK];
            new Random(1).nextBytes(two);
            DirectIo.write(file, DirectIo.BLOCK, two);
            assertThat(DirectIo.read(file, DirectIo.BLOCK, two.length)).isEqualTo(two);
            assertThat(DirectIo.isZero(DirectIo.read(file, 0, DirectIo.BLOCK))).isTrue();
            assertThat(DirectIo.isZero(two)).isFalse();
            assertThatThrownBy(() -> DirectIo.read(file, 0, 100)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> DirectIo.read(file, 3 * DirectIo.BLOCK, 2 * DirectIo.BLOCK))
                    .isInstanceOf(EOFException.class);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
