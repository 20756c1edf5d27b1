package org.vigil.alert.syslog.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd owned by the test: its own configuration, UDP and TCP inputs on 127.0.0.1 and a Unix socket in
 * the test's directory, everything written to one file in a template that shows the RFC 5424 fields. Stopped by pid.
 */
final class Rsyslog implements AutoCloseable {

    static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");

    final int udpPort;
    final int tcpPort;
    final Path socket;
    final Path out;
    private final Process process;

    private Rsyslog(int udpPort, int tcpPort, Path socket, Path out, Process process) {
        this.udpPort = udpPort;
        this.tcpPort = tcpPort;
        this.socket = socket;
        this.out = out;
        this.process = process;
    }

    static void require() {
        String why = "needs Debian rsyslog (" + RSYSLOGD + ")";
        if (!Files.isExecutable(RSYSLOGD) && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        assumeTrue(Files.isExecutable(RSYSLOGD), why);
    }

    static Rsyslog start(Path dir) throws Exception {
        int udp;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp = s.getLocalPort();
        }
        int tcp;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tcp = s.getLocalPort();
        }
        Path work = Files.createDirectories(dir.resolve("rsyslog"));
        Path socket = work.resolve("log.sock");
        Path out = work.resolve("messages.log");
        Path conf = work.resolve("rsyslog.conf");
        Files.writeString(conf, String.join("\n",
                "global(workDirectory=\"" + work + "\")",
                "module(load=\"imudp\")",
                "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + udp + "\")",
                "module(load=\"imtcp\")",
                "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + tcp + "\")",
                "module(load=\"imuxsock\" SysSock.Use=\"off\")",
                "input(type=\"imuxsock\" Socket=\"" + socket + "\" UseSpecialParser=\"off\" ParseHostname=\"on\")",
                "template(name=\"fields\" type=\"string\" string=\"%timereported:::date-rfc3339% host=%hostname% app=%app-name% "
                        + "msgid=%msgid% pri=%pri-text% sd=%structured-data% msg=%msg%\\n\")",
                "*.* action(type=\"omfile\" file=\"" + out + "\" template=\"fields\")", ""));
        Process p = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", conf.toString(), "-i", work.resolve("pid").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("rsyslogd.out").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end && !Files.exists(socket) && p.isAlive()) {
            Thread.sleep(50);
        }
        Thread.sleep(300); // the network inputs open beside the socket
        if (!p.isAlive() || !Files.exists(socket)) {
            p.destroyForcibly();
            throw new AssertionError("rsyslogd did not start: " + Files.readString(work.resolve("rsyslogd.out")));
        }
        return new Rsyslog(udp, tcp, socket, out, p);
    }

    List<String> lines() throws IOException {
        return Files.exists(out) ? Files.readAllLines(out, StandardCharsets.UTF_8) : List.of();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
