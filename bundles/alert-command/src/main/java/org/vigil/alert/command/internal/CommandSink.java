package org.vigil.alert.command.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;

/** One configured alert script. */
final class CommandSink implements AlertSink {

    /** The core's timeout (interrupt) usually comes first; this bounds a script even without it. */
    private static final long LIMIT_SECONDS = 300;

    private final String name;
    private final Path path;
    private final String recipient;
    private final AtomicLong sequence = new AtomicLong();

    CommandSink(String name, Path path, String recipient) {
        this.name = name;
        this.path = path;
        this.recipient = recipient;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void deliver(AlertEvent e) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(path.toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        String pathVar = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.clear(); // a script sees the alert, not the node's JVM environment
        env.put("PATH", pathVar);
        env.putAll(PacemakerEnvironment.of(e, recipient, sequence.incrementAndGet(), ZoneId.systemDefault()));
        Path out = Files.createTempFile("vigil-alert-", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException(path + " did not finish in " + LIMIT_SECONDS + " s; killed");
            }
            if (p.exitValue() != 0) {
                byte[] text = Files.readAllBytes(out);
                String s = new String(text, 0, Math.min(text.length, 1000), StandardCharsets.UTF_8).strip();
                throw new IOException(path + " exited with " + p.exitValue() + (s.isEmpty() ? "" : ": " + s));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
