package org.vigil.alert.syslog.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;

/** One configured syslog sink. */
final class SyslogSink implements AlertSink {

    private final String name;
    private final String target;
    private final int facility;
    private final String appName;
    private final String hostname;

    SyslogSink(String name, String target, int facility, String appName, String hostname) {
        this.name = name;
        this.target = target;
        this.facility = facility;
        this.appName = appName;
        this.hostname = hostname;
    }

    static Path findLogger() {
        for (String d : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path p = Path.of(d, "logger");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void deliver(AlertEvent e) throws IOException, InterruptedException {
        String host = hostname.isBlank() ? e.node() : hostname;
        if (target.startsWith("/")) {
            local(e);
            return;
        }
        URI u = URI.create(target);
        InetSocketAddress to = new InetSocketAddress(u.getHost(), u.getPort());
        byte[] msg = Rfc5424.format(e, facility, appName, host).getBytes(StandardCharsets.UTF_8);
        if ("udp".equals(u.getScheme())) {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.send(ByteBuffer.wrap(msg), to);
            }
        } else {
            // channels close on interrupt, so the core's timeout frees this thread from a server that stopped reading
            try (SocketChannel ch = SocketChannel.open()) {
                ch.socket().connect(to, 10_000);
                byte[] framed = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
                ByteBuffer b = ByteBuffer.allocate(framed.length + msg.length).put(framed).put(msg).flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }

    /** The local socket is a Unix datagram socket, which Java cannot open: util-linux logger writes the message. */
    private void local(AlertEvent e) throws IOException, InterruptedException {
        Path logger = findLogger();
        if (logger == null) {
            throw new IOException("'logger' (util-linux) not found: cannot write to " + target);
        }
        String sev = Rfc5424.severityName(e.severity());
        String fac = Rfc5424.FACILITIES.entrySet().stream().filter(x -> x.getValue() == facility).findFirst().orElseThrow().getKey();
        List<String> argv = List.of(logger.toString(), "--rfc5424=notq", "--socket-errors=on", "-u", target, "-t", appName,
                "-p", fac + "." + sev, "--msgid", e.kind(), "--sd-id", Rfc5424.SD_ID,
                "--sd-param", "kind=\"" + e.kind() + "\"", "--sd-param", "subject=\"" + e.subject().replace("\"", "'") + "\"",
                "--sd-param", "node=\"" + e.node() + "\"", "--", e.message().replaceAll("[\\r\\n]+", " "));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IOException("logger did not finish in 10 s writing to " + target);
            }
            String out = new String(p.getInputStream().readNBytes(2048), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new IOException("logger could not write to " + target + " (exit " + p.exitValue() + "): " + out);
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
