package org.vigil.resource.fileshare.internal;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.Programs;
import org.vigil.tck.AgentTestSupport;

/**
 * Shared by the file share tests: prerequisites, a real Unix user with an SMB account in a real tdbsam file
 * (made with pdbedit, as an admin does), smbclient runs, live processes (free ports, process groups, sockets
 * and deleteTree are in agent-tck's AgentTestSupport).
 */
final class SmbTestSupport {

    /** Test users are named with the test JVM's pid, so parallel runs do not clash and leftovers can be swept. */
    private static final Pattern TEST_USER = Pattern.compile("vigilfs(\\d+)");

    private SmbTestSupport() {
    }

    /**
     * Skips with the reason when root or a Samba tool is missing, or fails when CI=true: CI must run every test.
     *
     * @param tools further programs the test needs
     */
    static void assumeSamba(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!AgentTestSupport.isRoot()) {
            missing.add("root (smbd switches to the connecting user; useradd)");
        }
        List<String> all = new ArrayList<>(List.of("smbd", "testparm", "pdbedit", "smbclient", "useradd", "userdel"));
        all.addAll(List.of(tools));
        for (String tool : all) {
            if (Programs.resolve(tool) == null) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            String reason = "needs " + String.join(", ", missing)
                    + " (Debian packages samba, smbclient, passwd; scripts/test.sh installs them as root)";
            AgentTestSupport.skipOrFail(reason);
        }
    }

    /** A Unix user (system account, no home, no login shell) and its SMB password; {@link #close()} removes it. */
    static final class TestUser implements AutoCloseable {
        final String name;
        final String password;

        private TestUser(String name, String password) {
            this.name = name;
            this.password = password;
        }

        /** Creates the Unix user vigilfs&lt;pid&gt;, after removing those of test runs that are gone. */
        static TestUser create() {
            sweepLeftovers();
            String name = "vigilfs" + ProcessHandle.current().pid();
            run(null, "userdel", name); // a leftover of this very pid (reused)
            check(run(null, "useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                    "/usr/sbin/nologin", name));
            return new TestUser(name, "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random())));
        }

        /** @return uid of the user */
        int uid() {
            return Integer.parseInt(check(run(null, "id", "-u", name)).strip());
        }

        /** Gives the user the directory (so the share is writable for it). */
        void own(Path dir) {
            check(run(null, "chown", name, dir.toString()));
        }

        @Override
        public void close() {
            run(null, "userdel", name);
        }

        private static void sweepLeftovers() {
            try {
                for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                    Matcher m = TEST_USER.matcher(line.split(":")[0]);
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                        run(null, "userdel", m.group(0));
                    }
                }
            } catch (IOException e) {
                // nothing to sweep
            }
        }
    }

    /**
     * Adds the user to a tdbsam database the way the README tells admins to: {@code pdbedit -b tdbsam:FILE -a -t
     * USER}, the password twice on standard input. A scratch configuration keeps pdbedit's own files (secrets.tdb,
     * locks) out of /var/lib/samba.
     *
     * @param passdb the database file (created when missing)
     * @param user   the user
     */
    static void addAccount(Path passdb, TestUser user) throws IOException {
        Path scratch = Files.createTempDirectory("vigil-pdbedit-");
        try {
            Files.createDirectories(scratch.resolve("private"));
            Files.createDirectories(scratch.resolve("lock"));
            Path conf = scratch.resolve("smb.conf");
            Files.writeString(conf, "[global]\n    private dir = " + scratch.resolve("private") + "\n    lock directory = "
                    + scratch.resolve("lock") + "\n    state directory = " + scratch.resolve("lock")
                    + "\n    cache directory = " + scratch.resolve("lock") + "\n");
            String in = user.password + "\n" + user.password + "\n";
            check(run(in, "pdbedit", "--configfile=" + conf, "-b", "tdbsam:" + passdb, "-a", "-t", user.name));
        } finally {
            AgentTestSupport.deleteTree(scratch);
        }
        if (!Files.isRegularFile(passdb)) {
            throw new AssertionError("pdbedit made no " + passdb);
        }
    }

    /**
     * Runs smbclient against //127.0.0.1/share (or another address), in the directory given.
     *
     * @return its exit status and output
     */
    static Result smbclient(String address, int port, String share, String credentials, Path workDir, String commands) {
        List<String> argv = new ArrayList<>(List.of("smbclient", "-p", Integer.toString(port), "//" + address + "/"
                + share));
        if (credentials == null) {
            argv.add("-N");
        } else {
            argv.addAll(List.of("-U", credentials));
        }
        argv.addAll(List.of("-c", commands));
        return runIn(workDir, null, argv.toArray(String[]::new));
    }

    /** @return a new directory readable by everyone */
    static Path openDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /** Output and exit status of a command. @param exit the status (-1 at the time limit) @param output stdout and stderr */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    static String check(Result r) {
        if (r.exit() != 0) {
            throw new AssertionError("command failed (exit " + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    static Result run(String stdin, String... argv) {
        return runIn(null, stdin, argv);
    }

    /** Runs a command (at most 60 s), standard error merged into the output. */
    static Result runIn(Path dir, String stdin, String... argv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (OutputStream o = p.getOutputStream()) {
                    o.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /**
     * @param pid a process
     * @return true while it exists and is not a zombie (dead, waiting to be reaped: in a container whose pid 1
     *         does not reap, orphans stay zombies)
     */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
