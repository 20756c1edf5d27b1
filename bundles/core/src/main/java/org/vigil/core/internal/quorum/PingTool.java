package org.vigil.core.internal.quorum;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vigil.api.resource.CommandResult;
import org.vigil.core.internal.exec.CommandRunner;

/**
 * Whether this node can run {@code ping} at all. A node whose configuration needs it (the ping tie-breaker, the
 * public network watch's ping targets) and cannot run it would lose every tie and see its public network as lost:
 * it must say "not ready: ping ..." instead (issue 11), naming the tool and the package that installs it.
 */
public final class PingTool {

    /** The Debian package that installs {@code ping} with the capability it needs. */
    public static final String PACKAGE = "iputils-ping";

    private PingTool() {
    }

    /**
     * Pings the loopback address once (no traffic leaves the node): proves the program is there, executable and
     * allowed to open its socket.
     *
     * @param command the ping program and any leading arguments (normally just {@code ping}, found on PATH)
     * @return why this node cannot run ping (naming ping and the package), or null when it can
     */
    public static String problem(List<String> command) {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("-n", "-c", "1", "-W", "1", "127.0.0.1"));
        CommandResult r = CommandRunner.run(cmd, Duration.ofSeconds(3));
        if (r.exitCode() == 127 || r.exitCode() == 126) {
            return notRunnable(command.get(0), r.stderr().isBlank() ? "not found" : r.stderr().strip());
        }
        return r.exitCode() == 0 ? null : classify(command.get(0), r.stderr() + "\n" + r.stdout());
    }

    /**
     * @param program the program that could not be started
     * @param why     the operating system's reason
     * @return the not-ready reason
     */
    public static String notRunnable(String program, String why) {
        return "ping cannot be started (" + program + ": " + shorten(why) + "): install the package " + PACKAGE
                + " (or put ping on the PATH of the Vigil service); until then this node runs nothing";
    }

    /**
     * @param program the ping program
     * @param output  what a ping that ended without probing printed
     * @return the not-ready reason when the output says ping may not open its socket (a problem of the tool, not of
     *         the network), else null
     */
    public static String classify(String program, String output) {
        String o = output == null ? "" : output.toLowerCase(Locale.ROOT);
        if (o.contains("operation not permitted") || o.contains("permission denied") || o.contains("cap_net_raw")
                || o.contains("setuid") || o.contains("cannot flood")) {
            return "ping cannot run here (" + program + ": " + shorten(firstLine(output)) + "): it needs root, "
                    + "CAP_NET_RAW (the package " + PACKAGE + " installs ping with it) or net.ipv4.ping_group_range "
                    + "covering the Vigil user; until then this node runs nothing";
        }
        return null;
    }

    private static String firstLine(String s) {
        for (String l : s.split("\n")) {
            if (!l.isBlank()) {
                return l.strip();
            }
        }
        return "";
    }

    private static String shorten(String s) {
        String t = s == null ? "" : s.strip().replace('\n', ' ');
        return t.length() > 160 ? t.substring(0, 160) + "..." : t;
    }
}
