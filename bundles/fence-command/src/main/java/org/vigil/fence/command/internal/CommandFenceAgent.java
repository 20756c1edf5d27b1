package org.vigil.fence.command.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.ParameterDescription;
import org.vigil.api.fence.FenceAction;
import org.vigil.api.fence.FenceAgent;
import org.vigil.api.fence.FenceAgentDescription;
import org.vigil.api.fence.FenceResult;
import org.vigil.api.resource.OperationContext;

/**
 * Fence agent {@code command}: runs a command the admin gives (for example
 * {@code ipmitool -I lanplus -H 192.0.2.21 -U admin -f /etc/vigil/ipmi.pw chassis power off}) with
 * {@code {node}} replaced by the node's name. The command line is split on white space and run without a
 * shell (write a script for pipes or quoting). Exit 0 means the node is off (NODE_OFF); any other exit,
 * a program that cannot be started, or the timeout means FAILED. The command must not return 0 before
 * the node is really off ({@code ipmitool chassis power off} returns once the BMC accepted the request:
 * follow it with a status check in a script when the BMC is slow).
 */
@Component(service = FenceAgent.class)
public class CommandFenceAgent implements FenceAgent {

    static final String OFF = "off-command";
    static final String STATUS = "status-command";
    static final String REBOOT = "reboot-command";
    static final String OFF_PATTERN = "status-off-pattern";
    static final String TIMEOUT = "timeout";

    private static final int MAX_OUTPUT = 4096;

    @Override
    public FenceAgentDescription describe() {
        return new FenceAgentDescription("command", "runs an admin-given command to power a node off (ipmitool, a PDU, a cloud CLI)",
                List.of(ParameterDescription.required(OFF, "Command that powers the node off and exits 0 only once it is off; "
                                + "{node} is replaced by the node's name; no shell"),
                        ParameterDescription.optional(STATUS, "Command that asks whether the node is on; exit 0 with output "
                                + "matching status-off-pattern means off, other output means on", ""),
                        ParameterDescription.optional(OFF_PATTERN, "Regular expression that status-command output matches when "
                                + "the node is off", "(?i)\\boff\\b"),
                        ParameterDescription.optional(REBOOT, "Command that power-cycles the node (exit 0 when done)", ""),
                        ParameterDescription.optional(TIMEOUT, "Seconds a command may run before it is killed and the request fails", "30")),
                Duration.ofSeconds(60));
    }

    @Override
    public List<String> validate(Map<String, String> p) {
        List<String> problems = new ArrayList<>();
        checkCommand(problems, OFF, p.get(OFF), true);
        checkCommand(problems, STATUS, p.get(STATUS), false);
        checkCommand(problems, REBOOT, p.get(REBOOT), false);
        try {
            Pattern.compile(p.getOrDefault(OFF_PATTERN, "(?i)\\boff\\b"));
        } catch (PatternSyntaxException e) {
            problems.add(OFF_PATTERN + ": not a regular expression (" + e.getDescription() + ")");
        }
        String t = p.getOrDefault(TIMEOUT, "30");
        try {
            int s = Integer.parseInt(t.trim());
            if (s < 1 || s > 600) {
                problems.add(TIMEOUT + ": " + s + " must be from 1 to 600 seconds");
            }
        } catch (NumberFormatException e) {
            problems.add(TIMEOUT + ": '" + t + "' is not a number of seconds");
        }
        return problems;
    }

    private static void checkCommand(List<String> problems, String key, String command, boolean required) {
        if (command == null || command.isBlank()) {
            if (required) {
                problems.add(key + ": required (the command that powers the node off, e.g. ipmitool ... chassis power off)");
            }
            return;
        }
        String program = command.trim().split("\\s+")[0];
        if (findProgram(program) == null) {
            problems.add(key + ": program '" + program + "' not found" + (program.contains("/") ? "" : " on PATH (" + System.getenv("PATH") + ")")
                    + " or not executable");
        }
    }

    static Path findProgram(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/sbin:/usr/bin:/sbin:/bin" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public FenceResult fence(String node, FenceAction action, Map<String, String> p, OperationContext op) {
        List<String> problems = validate(p);
        if (!problems.isEmpty()) {
            return failed(String.join("; ", problems));
        }
        String key = switch (action) {
            case OFF -> OFF;
            case STATUS -> STATUS;
            case REBOOT -> REBOOT;
        };
        String command = p.get(key);
        if (command == null || command.isBlank()) {
            return failed(key + ": not configured, so this device cannot " + action.name().toLowerCase() + " " + node);
        }
        long budget = Math.min(TimeUnit.SECONDS.toMillis(Integer.parseInt(p.getOrDefault(TIMEOUT, "30").trim())),
                Math.max(100, op.remaining().toMillis()));
        Run r = run(argv(command, node), budget);
        if (r.problem != null) {
            return failed(key + ": " + r.problem);
        }
        String first = firstLine(r.output);
        return switch (action) {
            case OFF -> r.exit == 0 ? new FenceResult(FenceResult.Outcome.NODE_OFF, key + " exited 0" + (first.isEmpty() ? "" : ": " + first))
                    : failed(key + " exited " + r.exit + (first.isEmpty() ? "" : ": " + first));
            case REBOOT -> r.exit == 0 ? new FenceResult(FenceResult.Outcome.NODE_ON, key + " exited 0: " + node + " was power-cycled")
                    : failed(key + " exited " + r.exit + (first.isEmpty() ? "" : ": " + first));
            case STATUS -> r.exit != 0 ? failed(key + " exited " + r.exit + (first.isEmpty() ? "" : ": " + first))
                    : Pattern.compile(p.getOrDefault(OFF_PATTERN, "(?i)\\boff\\b")).matcher(r.output).find()
                            ? new FenceResult(FenceResult.Outcome.NODE_OFF, first)
                            : new FenceResult(FenceResult.Outcome.NODE_ON, first);
        };
    }

    static List<String> argv(String command, String node) {
        List<String> out = new ArrayList<>();
        for (String w : command.trim().split("\\s+")) {
            out.add(w.replace("{node}", node));
        }
        return out;
    }

    private static FenceResult failed(String message) {
        return new FenceResult(FenceResult.Outcome.FAILED, message);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private record Run(int exit, String output, String problem) {
    }

    /** Runs a command with its output in a file (no reader thread, no pipe to fill), killed at the budget. */
    private static Run run(List<String> argv, long budgetMillis) {
        Path out = null;
        try {
            out = Files.createTempFile("vigil-fence-", ".out");
            Process proc = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!proc.waitFor(budgetMillis, TimeUnit.MILLISECONDS)) {
                proc.descendants().forEach(ProcessHandle::destroyForcibly);
                proc.destroyForcibly();
                proc.waitFor(2, TimeUnit.SECONDS);
                return new Run(-1, "", "timed out after " + budgetMillis + " ms (killed)");
            }
            byte[] b = Files.readAllBytes(out);
            String text = new String(b, 0, Math.min(b.length, MAX_OUTPUT), StandardCharsets.UTF_8);
            return new Run(proc.exitValue(), text, null);
        } catch (IOException e) {
            return new Run(-1, "", "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "", "interrupted");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }
}
