package org.vigil.rest.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code data/log/vigil-audit.log}: one line per change asked through the API, accepted or refused, and per failed
 * login, naming the user and the address it came from. Written directly (not through the log configuration an admin
 * may change), mode 0600, rotated once to {@code .1} past {@value #MAX_BYTES} bytes.
 */
final class AuditLog {

    static final long MAX_BYTES = 10L * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final Path file;

    AuditLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * @param user    the user (as given, when the login failed), or "-" when none
     * @param address the client's address
     * @param request method and path
     * @param what    the command or what was refused, and the outcome
     */
    synchronized void record(String user, String address, String request, String what) {
        String line = Instant.now() + " user=" + clean(user) + " from=" + clean(address) + " " + clean(request) + " "
                + clean(what) + "\n";
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.error("REST API: cannot write the audit log {}: {}; the entry was: {}", file, e, line.strip());
        }
    }

    /** @return the text on one line, control characters written as \\uXXXX */
    static String clean(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? String.format("\\u%04x", (int) c) : c);
        }
        return b.toString();
    }
}
