package org.vigil.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Helpers the agent tests share: their prerequisites (root; skip, or fail under CI=true), free ports, the
 * processes of a server's process group and the TCP sockets they listen on (read from /proc), and removing a
 * directory.
 */
public final class AgentTestSupport {

    private AgentTestSupport() {
    }

    /** @return true when the test runs as root */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * For a test whose prerequisite is missing: skips it with the reason, or fails it ("CI=true: " and the reason)
     * when the environment variable CI is true, since CI must run every test.
     *
     * @param reason what is missing and how to get it
     */
    public static void skipOrFail(String reason) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true: " + reason);
        }
        Assumptions.assumeTrue(false, reason);
    }

    /** @return a TCP port free on 127.0.0.1 right now */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param pgid a process group; @return the pids in it */
    public static List<Long> processGroup(long pgid) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[2]) == pgid) { // state ppid pgrp
                        pids.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        }
        return pids;
    }

    /**
     * @param pids processes (a process that ends meanwhile is skipped)
     * @return the local addresses of the listening IPv4/IPv6 TCP sockets they hold: "127.0.0.1:4450" for IPv4,
     *         the address as /proc/net/tcp6 writes it in brackets for IPv6 ("[00000000000000000000000001000000]:4450"
     *         is ::1)
     */
    public static Set<String> listeningSockets(List<Long> pids) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : fds) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                // ended meanwhile
            }
        }
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.strip().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
                    listening.add(decode(f[1]));
                }
            }
        }
        return listening;
    }

    /** "0100007F:1162" -> "127.0.0.1:4450"; IPv6 as hex in brackets (enough to tell it apart). */
    private static String decode(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String a = parts[0];
        if (a.length() == 8) {
            return Integer.parseInt(a.substring(6, 8), 16) + "." + Integer.parseInt(a.substring(4, 6), 16) + "."
                    + Integer.parseInt(a.substring(2, 4), 16) + "." + Integer.parseInt(a.substring(0, 2), 16) + ":" + port;
        }
        return "[" + a + "]:" + port;
    }

    /** Removes a directory and everything in it, as far as it can (null or absent: nothing to do). */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
