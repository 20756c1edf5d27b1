package org.vigil.alert.syslog.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.alert.AlertSink;
import org.vigil.api.alert.AlertSinkType;

/**
 * Alert sink type {@code syslog}: each event is one RFC 5424 message, to the local syslog socket (through
 * util-linux {@code logger}, as Java has no Unix datagram sockets) or straight to a syslog server over UDP or TCP
 * (octet-counted framing, RFC 6587).
 */
@Component(service = AlertSinkType.class)
public class SyslogSinkType implements AlertSinkType {

    static final String TARGET = "target";
    static final String FACILITY = "facility";
    static final String APP_NAME = "app-name";
    static final String HOSTNAME = "hostname";

    @Override
    public String type() {
        return "syslog";
    }

    @Override
    public String description() {
        return "writes each event as an RFC 5424 syslog message to /dev/log, or a server over udp:// or tcp://";
    }

    @Override
    public List<String> validate(Map<String, String> p) {
        List<String> problems = new ArrayList<>();
        String target = p.getOrDefault(TARGET, "/dev/log").trim();
        if (target.startsWith("/")) {
            if (!Files.exists(Path.of(target))) {
                problems.add(TARGET + ": no socket " + target + " (is a syslog daemon running?)");
            }
            if (SyslogSink.findLogger() == null) {
                problems.add(TARGET + ": writing to the local socket " + target + " needs 'logger' (util-linux), not found");
            }
        } else {
            try {
                URI u = new URI(target);
                if (!"udp".equals(u.getScheme()) && !"tcp".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1) {
                    problems.add(TARGET + ": '" + target + "' is neither a socket path nor udp://HOST:PORT or tcp://HOST:PORT");
                }
            } catch (URISyntaxException e) {
                problems.add(TARGET + ": '" + target + "' is not a socket path or a udp:// or tcp:// address");
            }
        }
        String f = p.getOrDefault(FACILITY, "daemon").trim();
        if (!Rfc5424.FACILITIES.containsKey(f)) {
            problems.add(FACILITY + ": '" + f + "' is not one of " + new java.util.TreeSet<>(Rfc5424.FACILITIES.keySet()));
        }
        return problems;
    }

    @Override
    public AlertSink create(String name, Map<String, String> p) {
        return new SyslogSink(name, p.getOrDefault(TARGET, "/dev/log").trim(),
                Rfc5424.FACILITIES.get(p.getOrDefault(FACILITY, "daemon").trim()), p.getOrDefault(APP_NAME, "vigil"),
                p.getOrDefault(HOSTNAME, ""));
    }
}
