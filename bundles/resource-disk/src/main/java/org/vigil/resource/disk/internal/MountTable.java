package org.vigil.resource.disk.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The mounts of a mount namespace, parsed from {@code /proc/PID/mountinfo} (in-process, no fork). Later
 * lines are mounted later: of several mounts at one place, the last is the one on top.
 */
final class MountTable {

    /**
     * One line of mountinfo.
     *
     * @param id           the mount's id
     * @param parentId     the id of the mount it sits on
     * @param device       the device number of the mounted file system
     * @param root         the directory of the file system that is mounted here ("/" for the whole file system)
     * @param mountPoint   where, in this namespace
     * @param options      the per-mount options (rw/ro, noatime...)
     * @param fsType       the file system type
     * @param source       what was mounted, as given to mount (for example /dev/loop3)
     * @param superOptions the file system's own options
     */
    record Mount(int id, int parentId, DeviceNumber device, String root, String mountPoint, List<String> options,
            String fsType, String source, List<String> superOptions) {

        /** @return true when this mount, or the file system as a whole, is read-only */
        boolean readOnly() {
            return options.contains("ro") || superOptions.contains("ro");
        }

        @Override
        public String toString() {
            return source + " (" + device + ", " + fsType + (root.equals("/") ? "" : ", directory " + root) + ") at "
                    + mountPoint;
        }
    }

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** @return the mounts of this process's namespace */
    static MountTable current() throws IOException {
        return read(Path.of("/proc/self/mountinfo"));
    }

    /** @param mountinfo a mountinfo file; @return its mounts */
    static MountTable read(Path mountinfo) throws IOException {
        return parse(new String(Files.readAllBytes(mountinfo), StandardCharsets.UTF_8));
    }

    /** @param text the content of a mountinfo file; @return its mounts (unparseable lines are skipped) */
    static MountTable parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            Mount m = parseLine(line);
            if (m != null) {
                mounts.add(m);
            }
        }
        return new MountTable(mounts);
    }

    private static Mount parseLine(String line) {
        String[] f = line.strip().split(" ");
        int dash = Arrays.asList(f).indexOf("-");
        if (f.length < 10 || dash < 6 || dash + 3 >= f.length) {
            return null;
        }
        try {
            return new Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), DeviceNumber.parse(f[2], 10),
                    unescape(f[3]), unescape(f[4]), List.of(f[5].split(",")), unescape(f[dash + 1]),
                    unescape(f[dash + 2]), List.of(f[dash + 3].split(",")));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\\' && i + 3 < bytes.length && isOctal(bytes[i + 1]) && isOctal(bytes[i + 2])
                    && isOctal(bytes[i + 3])) {
                out.write(((bytes[i + 1] - '0') << 6) | ((bytes[i + 2] - '0') << 3) | (bytes[i + 3] - '0'));
                i += 3;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte c) {
        return c >= '0' && c <= '7';
    }

    /** @return every mount, in mount order */
    List<Mount> all() {
        return mounts;
    }

    /** @param mountPoint a canonical path; @return the mounts at exactly that place, bottom first */
    List<Mount> at(Path mountPoint) {
        String p = mountPoint.toString();
        return mounts.stream().filter(m -> m.mountPoint().equals(p)).toList();
    }

    /** @param mountPoint a canonical path; @return the mount on top at that place, if any */
    Optional<Mount> topAt(Path mountPoint) {
        List<Mount> here = at(mountPoint);
        return here.isEmpty() ? Optional.empty() : Optional.of(here.get(here.size() - 1));
    }

    /** @param device a device number; @return every mount of a file system on that device */
    List<Mount> of(DeviceNumber device) {
        return mounts.stream().filter(m -> m.device().equals(device)).toList();
    }

    /** @param mount a mount; @return the mounts that sit on it (mounted inside it), directly or deeper */
    List<Mount> inside(Mount mount) {
        Set<Integer> ids = new HashSet<>(Set.of(mount.id()));
        List<Mount> found = new ArrayList<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Mount m : mounts) {
                if (!ids.contains(m.id()) && ids.contains(m.parentId())) {
                    ids.add(m.id());
                    found.add(m);
                    grew = true;
                }
            }
        }
        return found;
    }

    /**
     * Looks for the device in every other mount namespace on this machine (containers, services with a
     * private /tmp...): a file system unmounted here but still mounted there is still in use.
     *
     * @param device a device number
     * @return one line per namespace where a file system on it is mounted: where, and a process in it
     */
    static List<String> inOtherNamespaces(DeviceNumber device) {
        List<String> found = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            seen.add(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return found;
        }
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    if (!seen.add(Files.readSymbolicLink(proc.resolve("ns/mnt")).toString())) {
                        continue;
                    }
                    for (Mount m : read(proc.resolve("mountinfo")).of(device)) {
                        found.add(m.mountPoint() + " in the mount namespace of pid " + proc.getFileName());
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended, or its namespace cannot be read: nothing to learn from it
                }
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }
}
