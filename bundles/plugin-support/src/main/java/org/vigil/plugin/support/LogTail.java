package org.vigil.plugin.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a program's log, to quote in a failure message (used by the process and webroot resources). */
public final class LogTail {

    private static final int MAX_BYTES = 4096;
    private static final int MAX_LINES = 5;

    private LogTail() {
    }

    /** @return the log's current size, or 0 when it cannot be read (for example /dev/null) */
    public static long size(Path log) {
        try {
            return Files.isRegularFile(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * @param log  the log file
     * @param from the offset where the interesting part starts (what an earlier run wrote is skipped)
     * @return "; last output: a | b | c", or "" when there is none
     */
    public static String describe(Path log, long from) {
        if (!Files.isRegularFile(log)) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(from, f.length() - MAX_BYTES);
            if (start >= f.length()) {
                return "";
            }
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            List<String> lines = Arrays.stream(new String(bytes, StandardCharsets.UTF_8).split("\n"))
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (start > from && !lines.isEmpty()) {
                lines = lines.subList(1, lines.size()); // the first line is probably cut
            }
            lines = lines.subList(Math.max(0, lines.size() - MAX_LINES), lines.size());
            return lines.isEmpty() ? "" : "; last output: " + String.join(" | ", lines);
        } catch (IOException e) {
            return "";
        }
    }
}
