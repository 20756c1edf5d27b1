package org.vigil.alert.mail.internal;

import java.util.List;
import org.vigil.api.alert.AlertEvent;
import org.vigil.api.alert.AlertSink;
import org.vigil.plugin.support.alert.AlertText;

/** One configured mail sink: every event it receives becomes one mail to its recipients. */
final class MailSink implements AlertSink {

    private final String name;
    private final SmtpClient smtp;
    private final String from;
    private final List<String> to;
    private final String subjectPrefix;

    MailSink(String name, SmtpClient smtp, String from, List<String> to, String subjectPrefix) {
        this.name = name;
        this.smtp = smtp;
        this.from = from;
        this.to = List.copyOf(to);
        this.subjectPrefix = subjectPrefix;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void deliver(AlertEvent e) throws Exception {
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(from).append("\r\n");
        m.append("To: ").append(String.join(", ", to)).append("\r\n");
        m.append("Subject: ").append(header(AlertText.subject(subjectPrefix, e))).append("\r\n");
        m.append("Date: ").append(AlertText.mailDate(e)).append("\r\n");
        m.append("Message-ID: <").append(e.time().toEpochMilli()).append('.').append(System.nanoTime())
                .append(".vigil@").append(e.node()).append(">\r\n");
        m.append("X-Vigil-Kind: ").append(e.kind()).append("\r\n");
        m.append("X-Vigil-Severity: ").append(e.severity()).append("\r\n");
        m.append("X-Vigil-Time: ").append(e.time().toEpochMilli()).append("\r\n");
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: text/plain; charset=UTF-8\r\n");
        m.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        m.append(AlertText.body(e).replace("\r", "").replace("\n", "\r\n"));
        smtp.send(from, to, m.toString());
    }

    /** Subject lines are plain ASCII here; anything else is encoded (RFC 2047). */
    static String header(String s) {
        String oneLine = s.replaceAll("[\\r\\n]+", " ");
        if (oneLine.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return oneLine;
        }
        return "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(oneLine.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "?=";
    }
}
