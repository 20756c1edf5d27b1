package org.vigil.core.internal.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads /proc for the tests: what a process is, which group it is in, what it holds open. */
final class Procs {

    private Procs() {
    }

    /** The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, ... */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @return true when the process no longer runs. A zombie counts as gone: in this container PID 1 does
     *         not reap orphans, so killed grandchildren stay zombies forever.
     */
    static boolean isGone(long pid) {
        String[] f = stat(pid);
        return f == null || f[0].equals("Z") || f[0].equals("X");
    }

    static long pgid(long pid) {
        return Long.parseLong(stat(pid)[2]);
    }

    static long sid(long pid) {
        return Long.parseLong(stat(pid)[3]);
    }

    /** @return the live (non-zombie) processes of a process group */
    static List<Long> liveMembers(long pgid) {
        List<Long> members = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).forEach(pid -> {
                        String[] f = stat(pid);
                        if (f != null && Long.parseLong(f[2]) == pgid && !f[0].equals("Z")) {
                            members.add(pid);
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return members;
    }

    /** @return fd number -> link target ("/dev/null", "pipe:[123]", a file), in fd order */
    static List<String> fds(long pid) throws IOException {
        List<String> out = new ArrayList<>();
        Path dir = Path.of("/proc", Long.toString(pid), "fd");
        try (Stream<Path> fds = Files.list(dir)) {
            for (Path fd : fds.sorted((a, b) -> Integer.compare(Integer.parseInt(a.getFileName().toString()),
                    Integer.parseInt(b.getFileName().toString()))).toList()) {
                try {
                    out.add(fd.getFileName() + "=" + Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    // closed between listing and reading
                }
            }
        }
        return out;
    }

    static String status(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).strip())
                .findFirst().orElse("");
    }

    /** Kills one process the test started, by pid, if it still runs. */
    static void killQuietly(long pid) {
        if (pid > 1 && !isGone(pid)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static long readPid(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }
}
