package org.vigil.resource.process.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Resource type {@code process}: runs one foreground program through the core's process supervisor, stops
 * it with a signal to its process group (or a stop command), and monitors it in-process: is it alive, and
 * optionally does it accept TCP connections or answer HTTP.
 */
@Component(service = ResourceType.class)
public final class ProcessResourceType implements ResourceType {

    static final String TYPE = "process";

    private static final ResourceTypeDescription DESCRIPTION = new ResourceTypeDescription(TYPE,
            "Runs and supervises one foreground program, optionally checked over TCP or HTTP",
            List.of(
                    ParameterDescription.required(ProcessConfig.COMMAND,
                            "The program to run, as a shell command line (run with /bin/sh -c). It must stay in the"
                                    + " foreground, not daemonize: it runs in its own process group, which is killed"
                                    + " whole if the node process dies. Prefix it with 'exec' so the program replaces"
                                    + " the shell. Gets VIGIL_RESOURCE, VIGIL_GROUP and VIGIL_NODE in its"
                                    + " environment."),
                    ParameterDescription.optional(ProcessConfig.STOP_COMMAND,
                            "A shell command line run to stop the program, instead of sending stop-signal (for"
                                    + " example 'nginx -s quit'). Runs in the working directory with the same"
                                    + " environment, plus VIGIL_PID (the program's pid). If the program is still"
                                    + " running 1 s before the stop timeout, its process group is killed with KILL.",
                            null),
                    ParameterDescription.optional(ProcessConfig.STOP_SIGNAL,
                            "The signal sent to the program's whole process group to stop it when no stop-command"
                                    + " is given: TERM, INT, HUP, QUIT, USR1, USR2, WINCH, ABRT, ALRM, PWR or KILL."
                                    + " If the program is still running 1 s before the stop timeout, KILL follows.",
                            ProcessConfig.DEFAULT_STOP_SIGNAL),
                    ParameterDescription.optional(ProcessConfig.WORKING_DIRECTORY,
                            "Absolute path of the directory the program (and stop-command) runs in; it must exist"
                                    + " on the node. Default: the resource's state directory.",
                            null),
                    ParameterDescription.optional(ProcessConfig.ENVIRONMENT,
                            "Extra environment variables as NAME=VALUE entries separated by ';' (for example"
                                    + " 'PORT=8080;MODE=primary'); blanks around entries are ignored and values"
                                    + " cannot contain ';'. The VIGIL_* variables are set by Vigil.",
                            null),
                    ParameterDescription.optional(ProcessConfig.LOG_FILE,
                            "File that receives the program's standard output and error, appended. A relative"
                                    + " path is taken from the resource's state directory; /dev/null discards the"
                                    + " output. Its last lines are quoted when the program fails.",
                            ProcessConfig.DEFAULT_LOG_FILE),
                    ParameterDescription.optional(ProcessConfig.CHECK_TCP,
                            "host:port ([address]:port for IPv6) that must accept a TCP connection: start waits for"
                                    + " it (up to the start timeout), and every monitor checks it, in-process.",
                            null),
                    ParameterDescription.optional(ProcessConfig.CHECK_HTTP,
                            "http:// or https:// URL that must answer a GET with status 2xx or 3xx (redirects are"
                                    + " not followed, no proxy is used): start waits for it (up to the start timeout),"
                                    + " and every monitor checks it, in-process.",
                            null),
                    ParameterDescription.optional(ProcessConfig.CHECK_TIMEOUT,
                            "How long one check-tcp or check-http attempt may take, for example 500ms, 2s or 1m.",
                            ProcessConfig.DEFAULT_CHECK_TIMEOUT)),
            Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, ProcessConfig::parse);
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new ProcessHandler(context);
    }
}
