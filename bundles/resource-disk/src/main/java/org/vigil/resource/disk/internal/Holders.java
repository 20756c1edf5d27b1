package org.vigil.resource.disk.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the processes that hold a mounted file system, precisely: those whose working directory, root,
 * executable, an open file or a mapped file lies on the file system's device, compared by device number
 * ({@code stat} of {@code /proc/PID/{cwd,root,exe,fd/*}} and the device column of {@code /proc/PID/maps}).
 * Path names are never compared, so a bind mount of / or a path seen from another mount namespace cannot
 * make an unrelated process look like a holder (resource-agents #1304), and one in another namespace
 * that does hold the file system is found.
 *
 * <p>Never reported as killable: this JVM, its ancestors (the shell or service manager that started the
 * node) and pid 1.
 */
final class Holders {

    /**
     * One process holding the file system.
     *
     * @param process  the process (its handle remembers its start time, so a recycled pid is never signalled)
     * @param command  its name, from /proc/PID/comm
     * @param how      what it holds, for the admin: "working directory", "fd 3 (/srv/x/file)", ...
     * @param killable false for this JVM, its ancestors and pid 1
     */
    record Holder(ProcessHandle process, String command, String how, boolean killable) {
        @Override
        public String toString() {
            return process.pid() + " (" + command + ", " + how + ")";
        }
    }

    private Holders() {
    }

    /**
     * @param device the device number of the mounted file system
     * @return the processes holding it now
     */
    static List<Holder> of(DeviceNumber device) {
        long dev = device.toDev();
        Set<Long> protectedPids = protectedPids();
        List<Holder> holders = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                Optional<String> how = holds(proc, dev, device);
                if (how.isEmpty()) {
                    continue;
                }
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                if (handle.isEmpty()) {
                    continue; // ended meanwhile
                }
                holders.add(new Holder(handle.get(), command(proc), how.get(), !protectedPids.contains(pid)));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        return holders;
    }

    /** @return what the process holds on the device, or empty when nothing (or it ended meanwhile) */
    static Optional<String> holds(Path proc, long dev, DeviceNumber device) {
        for (String link : List.of("cwd", "root", "exe")) {
            if (onDevice(proc.resolve(link), dev)) {
                return Optional.of(link.equals("cwd") ? "working directory" : link.equals("root") ? "root directory"
                        : "executable");
            }
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                if (onDevice(fd, dev)) {
                    return Optional.of("fd " + fd.getFileName() + " (" + target(fd) + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            // ended, or a kernel thread: no open files to find
        }
        try {
            for (String line : Files.readAllLines(proc.resolve("maps"), StandardCharsets.UTF_8)) {
                // address perms offset dev inode [path]
                String[] f = line.split("\\s+", 6);
                if (f.length >= 5 && !f[4].equals("0") && device.equals(DeviceNumber.parse(f[3], 16))) {
                    return Optional.of("mapped file" + (f.length == 6 ? " (" + f[5].strip() + ")" : ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // ended, or not readable: nothing mapped to find
        }
        return Optional.empty();
    }

    private static boolean onDevice(Path magicLink, long dev) {
        try {
            return ((Long) Files.getAttribute(magicLink, "unix:dev")) == dev;
        } catch (IOException | RuntimeException e) {
            return false; // ended, closed meanwhile, or not a file
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String command(Path proc) {
        try {
            return Files.readString(proc.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** This JVM, every ancestor of it, and init: signalling any of them would take the node down. */
    static Set<Long> protectedPids() {
        Set<Long> pids = new HashSet<>();
        pids.add(1L);
        Optional<ProcessHandle> p = Optional.of(ProcessHandle.current());
        while (p.isPresent()) {
            pids.add(p.get().pid());
            p = p.get().parent();
        }
        return pids;
    }
}
