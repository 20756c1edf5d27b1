package org.vigil.alert.mail.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real SMTP server of Debian's python3-aiosmtpd, run by src/test/resources/smtp-server.py; stopped by pid. */
final class SmtpServer implements AutoCloseable {

    final int port;
    final Path maildir;
    private final Process process;

    private SmtpServer(int port, Path maildir, Process process) {
        this.port = port;
        this.maildir = maildir;
        this.process = process;
    }

    /** Skips (or fails with CI=true) without python3-aiosmtpd. */
    static void requireAiosmtpd() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import aiosmtpd").redirectErrorStream(true).start();
        boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        String why = "needs Debian python3-aiosmtpd (a real SMTP server) for /usr/bin/python3";
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        assumeTrue(ok, why);
    }

    static SmtpServer start(Path dir, String... options) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path maildir = Files.createDirectories(dir.resolve("mail-" + port));
        Path script = Path.of("src/test/resources/smtp-server.py").toAbsolutePath();
        List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), Integer.toString(port), maildir.toString()));
        argv.addAll(List.of(options));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            String l = r.readLine();
            if (l == null) {
                break;
            }
            out.append(l).append('\n');
            if (l.equals("ready")) {
                Thread drain = new Thread(() -> r.lines().forEach(x -> { }), "smtp-server-out");
                drain.setDaemon(true);
                drain.start();
                return new SmtpServer(port, maildir, p);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("the SMTP server did not start: " + out);
    }

    /** @return the mails received so far, oldest first */
    List<String> mails() throws IOException {
        try (var s = Files.list(maildir)) {
            List<String> l = new ArrayList<>();
            for (Path f : s.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
                l.add(Files.readString(f, StandardCharsets.UTF_8));
            }
            return l;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
