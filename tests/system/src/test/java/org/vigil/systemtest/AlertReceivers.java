package org.vigil.systemtest;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real servers alert sinks deliver to, owned by the test: an SMTP server (python3-aiosmtpd), a test-owned
 * rsyslogd on a loopback UDP port, an HTTP receiver (the JDK's), and an SMTP server that accepts connections and
 * never answers. Each records when it received what, for the "within 1 s" measure. {@link #close()} stops them
 * (processes by their handle).
 */
final class AlertReceivers implements AutoCloseable {

    /** One alert as a receiver got it: the event's own time and when it arrived, both epoch ms. */
    record Received(String channel, String kind, String subject, String reporter, long eventMillis, long receivedMillis,
            String raw) {
        long latency() {
            return receivedMillis - eventMillis;
        }
    }

    static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");
    static final Path PYTHON = Path.of("/usr/bin/python3");

    final Path dir;
    final int smtpPort;
    final int syslogPort;
    final int webhookPort;
    final int hungPort;
    final Path maildir;
    final Path syslogFile;
    final List<Received> webhook = new CopyOnWriteArrayList<>();
    final List<Socket> hungConnections = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private HttpServer http;
    private ServerSocket hung;

    /** @return what is missing for these servers, empty when nothing */
    static List<String> missing() {
        List<String> m = new ArrayList<>();
        if (!Files.isExecutable(RSYSLOGD)) {
            m.add("rsyslogd (Debian rsyslog)");
        }
        if (!Sh.run(PYTHON.toString(), "-c", "import aiosmtpd").ok()) {
            m.add("aiosmtpd (Debian python3-aiosmtpd)");
        }
        return m;
    }

    AlertReceivers(Path dir) throws Exception {
        if (Files.exists(dir)) { // what an earlier run received must not count
            try (var old = Files.walk(dir)) {
                for (Path f : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        this.dir = Files.createDirectories(dir);
        this.smtpPort = freeTcpPort();
        this.syslogPort = freeUdpPort();
        this.maildir = Files.createDirectories(dir.resolve("mail"));
        this.syslogFile = dir.resolve("syslog.log");
        try {
            startSmtp();
            startRsyslog();
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/vigil", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                long at = System.currentTimeMillis();
                String json = new String(body, StandardCharsets.UTF_8);
                String sig = ex.getRequestHeaders().getFirst("X-Vigil-Signature");
                webhook.add(new Received("webhook", jsonField(json, "kind"), jsonField(json, "subject"), jsonField(json, "node"),
                        Long.parseLong(jsonNumber(json, "timeMillis")), at, sig + " " + json));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            http.start();
            this.webhookPort = http.getAddress().getPort();
            hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.hungPort = hung.getLocalPort();
            Thread t = new Thread(() -> {
                while (!hung.isClosed()) {
                    try {
                        hungConnections.add(hung.accept()); // accepted, never answered
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "hung-smtp");
            t.setDaemon(true);
            t.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void startSmtp() throws Exception {
        Path script = Prerequisites.scripts().getParent().resolve("bundles/alert-mail/src/test/resources/smtp-server.py");
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), Integer.toString(smtpPort), maildir.toString())
                .redirectErrorStream(true).start();
        processes.add(p);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            String l = r.readLine();
            if (l == null) {
                break;
            }
            out.append(l).append('\n');
            if (l.equals("ready")) {
                Thread drain = new Thread(() -> r.lines().forEach(x -> { }), "smtp-out");
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new AssertionError("the SMTP server did not start: " + out);
    }

    private void startRsyslog() throws Exception {
        Path work = Files.createDirectories(dir.resolve("rsyslog"));
        Path conf = work.resolve("rsyslog.conf");
        // timegenerated: when rsyslogd received it; the event's time is the RFC 5424 header's TIMESTAMP, read from the
        // raw message (rsyslog 8.2302 garbles %timereported:::date-rfc3339% with millisecond precision)
        Files.writeString(conf, String.join("\n",
                "global(workDirectory=\"" + work + "\")",
                "module(load=\"imudp\")",
                "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + syslogPort + "\")",
                "template(name=\"fields\" type=\"string\" string=\"%timegenerated:::date-rfc3339% %rawmsg% | "
                        + "host=%hostname% app=%app-name% msgid=%msgid% pri=%pri-text% sd=%structured-data% msg=%msg%\\n\")",
                "*.* action(type=\"omfile\" file=\"" + syslogFile + "\" template=\"fields\")", ""));
        Process p = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", conf.toString(), "-i", work.resolve("pid").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("rsyslogd.out").toFile()).start();
        processes.add(p);
        Thread.sleep(1000);
        if (!p.isAlive()) {
            throw new AssertionError("rsyslogd did not start: " + Files.readString(work.resolve("rsyslogd.out")));
        }
    }

    /** @return the mails received so far */
    List<Received> mails() {
        List<Received> l = new ArrayList<>();
        try (var s = Files.list(maildir)) {
            for (Path f : s.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
                String m = Files.readString(f, StandardCharsets.UTF_8);
                long at = Long.parseLong(f.getFileName().toString().split("-")[0]);
                l.add(new Received("mail", header(m, "X-Vigil-Kind"), match(m, "(?m)^subject:\\s+(\\S+)"),
                        match(m, "(?m)^node:\\s+(\\S+)"), Long.parseLong(header(m, "X-Vigil-Time")), at, m));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return l;
    }

    /** @return the syslog messages rsyslogd wrote so far */
    List<Received> syslog() {
        List<Received> l = new ArrayList<>();
        try {
            if (!Files.exists(syslogFile)) {
                return l;
            }
            for (String line : Files.readAllLines(syslogFile, StandardCharsets.ISO_8859_1)) {
                String[] f = line.split(" ", 4); // timegenerated, <PRI>1, TIMESTAMP, rest
                if (f.length < 4 || !line.contains("vigil@32473")) {
                    continue;
                }
                l.add(new Received("syslog", match(line, "msgid=(\\S+)"), match(line, "subject=\"([^\"]*)\""),
                        match(line, " node=\"([^\"]*)\""), OffsetDateTime.parse(f[2]).toInstant().toEpochMilli(),
                        OffsetDateTime.parse(f[0]).toInstant().toEpochMilli(), line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return l;
    }

    private static String header(String mail, String name) {
        return match(mail, "(?mi)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$");
    }

    private static String match(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : "";
    }

    private static String jsonField(String json, String key) {
        return match(json, "\"" + key + "\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    }

    private static String jsonNumber(String json, String key) {
        return match(json, "\"" + key + "\":(\\d+)");
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop(0);
        }
        try {
            if (hung != null) {
                hung.close();
            }
            for (Socket s : hungConnections) {
                s.close();
            }
        } catch (IOException e) {
            // closing test sockets
        }
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
