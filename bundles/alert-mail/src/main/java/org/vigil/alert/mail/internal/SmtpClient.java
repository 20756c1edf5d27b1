package org.vigil.alert.mail.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP client (RFC 5321) for one mail per connection: EHLO, STARTTLS (RFC 3207) or implicit TLS, AUTH PLAIN or
 * LOGIN (RFC 4954), MAIL, RCPT, DATA. The socket comes from a {@link SocketChannel}, so the core's timeout
 * interrupt closes it even in the middle of a read from a server that never answers.
 */
final class SmtpClient {

    /** Each read and the connect give up after this; the core's own timeout is usually shorter. */
    private static final int SOCKET_TIMEOUT_MS = 30_000;

    private final String host;
    private final int port;
    private final MailSinkType.Security security;
    private final SSLContext tls;
    private final String user;
    private final String password;
    private final String helo;

    SmtpClient(String host, int port, MailSinkType.Security security, SSLContext tls, String user, String password, String helo) {
        this.host = host;
        this.port = port;
        this.security = security;
        this.tls = tls;
        this.user = user;
        this.password = password;
        this.helo = helo.isBlank() ? localName() : helo.trim();
    }

    private static String localName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "vigil";
        }
    }

    void send(String from, List<String> to, String message) throws IOException {
        SocketChannel ch = SocketChannel.open();
        Socket raw = ch.socket();
        try {
            raw.setSoTimeout(SOCKET_TIMEOUT_MS);
            raw.connect(new InetSocketAddress(host, port), SOCKET_TIMEOUT_MS);
            Socket s = security == MailSinkType.Security.TLS ? startTls(raw) : raw;
            Conversation c = new Conversation(s);
            c.expect(220, "greeting");
            List<String> ext = c.command("EHLO " + helo, 250);
            if (security == MailSinkType.Security.STARTTLS) {
                if (ext.stream().noneMatch(l -> l.toUpperCase(Locale.ROOT).startsWith("STARTTLS"))) {
                    throw new IOException("SMTP server " + host + ":" + port + " does not offer STARTTLS (set security = tls "
                            + "for port 465, or none for a trusted local relay)");
                }
                c.command("STARTTLS", 220);
                s = startTls(raw);
                c = new Conversation(s);
                ext = c.command("EHLO " + helo, 250);
            }
            if (!user.isEmpty()) {
                authenticate(c, ext);
            }
            c.command("MAIL FROM:<" + from + ">", 250);
            for (String r : to) {
                c.command("RCPT TO:<" + r + ">", 250, 251);
            }
            c.command("DATA", 354);
            StringBuilder data = new StringBuilder(message.length() + 16);
            for (String line : message.split("\r\n", -1)) {
                data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            data.append(".");
            c.command(data.toString(), 250);
            try {
                c.command("QUIT", 221);
            } catch (IOException e) {
                // the mail is accepted; a server that drops the connection at QUIT changes nothing
            }
        } finally {
            ch.close();
        }
    }

    private Socket startTls(Socket raw) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true);
        SSLParameters params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host we connect to
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    private void authenticate(Conversation c, List<String> ext) throws IOException {
        String mechs = ext.stream().map(l -> l.toUpperCase(Locale.ROOT)).filter(l -> l.startsWith("AUTH")).findFirst().orElse("");
        if (mechs.matches(".*\\bPLAIN\\b.*")) {
            String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            c.command("AUTH PLAIN " + token, 235);
        } else if (mechs.matches(".*\\bLOGIN\\b.*")) {
            c.command("AUTH LOGIN", 334);
            c.command(Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)), 334);
            c.command(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)), 235);
        } else {
            throw new IOException("SMTP server " + host + ":" + port + " offers no AUTH PLAIN or LOGIN (it offers: "
                    + (mechs.isEmpty() ? "no AUTH at all" : mechs) + ")");
        }
    }

    /** One request/reply exchange after another on a socket. */
    private final class Conversation {
        private final BufferedReader in;
        private final OutputStream out;

        Conversation(Socket s) throws IOException {
            this.in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            this.out = s.getOutputStream();
        }

        List<String> command(String line, int... ok) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String what = line.startsWith("AUTH") ? "AUTH" : line.length() > 40 ? line.substring(0, 4) : line;
            return expect(what, ok);
        }

        List<String> expect(int code, String what) throws IOException {
            return expect(what, code);
        }

        private List<String> expect(String what, int... ok) throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                String l = in.readLine();
                if (l == null) {
                    throw new IOException("SMTP server " + host + ":" + port + " closed the connection after " + what);
                }
                if (l.length() < 3) {
                    throw new IOException("SMTP server " + host + ":" + port + " answered '" + l + "' to " + what);
                }
                lines.add(l.length() > 4 ? l.substring(4) : "");
                if (l.length() == 3 || l.charAt(3) != '-') {
                    int code;
                    try {
                        code = Integer.parseInt(l.substring(0, 3));
                    } catch (NumberFormatException e) {
                        throw new IOException("SMTP server " + host + ":" + port + " answered '" + l + "' to " + what);
                    }
                    for (int c : ok) {
                        if (c == code) {
                            return lines;
                        }
                    }
                    throw new IOException("SMTP server " + host + ":" + port + " refused " + what + ": " + l);
                }
            }
        }
    }
}
