package org.vigil.resource.disk.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code disk} resource. Parsing is validation: {@link #parse} throws an
 * {@link InvalidParameterException} naming the first wrong parameter.
 *
 * @param device             the block device (may be a symbolic link such as /dev/disk/by-id/...)
 * @param mountPoint         where it is mounted, absolute and normalized
 * @param fsType             ext2, ext3, ext4 or xfs
 * @param options            the mount options (-o), each checked; empty for none
 * @param fsck               whether start checks the file system first
 * @param reservation        whether the ownership reservation on the disk is used
 * @param reservationTimeout how long another node's reservation must go unrenewed before it is presumed dead
 * @param stopGrace          how long holders of the mount get between TERM and KILL
 */
record DiskConfig(Path device, Path mountPoint, String fsType, List<String> options, boolean fsck,
        boolean reservation, Duration reservationTimeout, Duration stopGrace) {

    static final String DEVICE = "device";
    static final String MOUNT_POINT = "mount-point";
    static final String FSTYPE = "fstype";
    static final String OPTIONS = "options";
    static final String FSCK = "fsck";
    static final String RESERVATION = "reservation";
    static final String RESERVATION_TIMEOUT = "reservation-timeout";
    static final String STOP_GRACE = "stop-grace";

    static final String DEFAULT_FSTYPE = "ext4";
    static final String DEFAULT_FSCK = "true";
    static final String DEFAULT_RESERVATION = "true";
    static final String DEFAULT_RESERVATION_TIMEOUT = "10s";
    static final String DEFAULT_STOP_GRACE = "5s";

    /** File systems whose safe check and whose size (for the reservation area) this agent knows. */
    static final Set<String> FSTYPES = Set.of("ext2", "ext3", "ext4", "xfs");

    /** How often the core monitors a mounted disk (the type's monitor interval): each monitor renews the reservation. */
    static final Duration MONITOR_INTERVAL = Duration.ofSeconds(2);

    /**
     * A holder renews its reservation at every monitor; presuming it dead after fewer than three missed
     * renewals would take a disk away from a node that is merely slow.
     */
    static final Duration MIN_RESERVATION_TIMEOUT = MONITOR_INTERVAL.multipliedBy(3);

    /** A challenger waits this long at most inside one start; more would not fit the start timeout. */
    static final Duration MAX_RESERVATION_TIMEOUT = Duration.ofSeconds(60);

    static final Duration MAX_STOP_GRACE = Duration.ofSeconds(30);

    /** Where mounting a shared disk would hide the system itself. */
    static final Set<String> SYSTEM_DIRECTORIES = Set.of("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32",
            "/lib64", "/libx32", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var");

    /**
     * Options that would make the mount something other than "this device at this place": a bind or move
     * mount, a remount of whatever is there, or a loop device of its own (a different device number).
     */
    static final Set<String> REFUSED_OPTIONS = Set.of("bind", "rbind", "move", "remount", "loop");

    private static final Pattern OPTION = Pattern.compile("[A-Za-z0-9_.:/=@+-]+");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)");

    /**
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static DiskConfig parse(Map<String, String> parameters) {
        Path device = absolutePath(DEVICE, value(parameters, DEVICE));
        Path mountPoint = absolutePath(MOUNT_POINT, value(parameters, MOUNT_POINT));
        if (SYSTEM_DIRECTORIES.contains(mountPoint.toString())) {
            throw new InvalidParameterException(MOUNT_POINT, mountPoint + " is a system directory; mount the shared"
                    + " disk on a directory of its own, for example /srv/shared");
        }
        String fsType = orDefault(value(parameters, FSTYPE), DEFAULT_FSTYPE).strip().toLowerCase(Locale.ROOT);
        if (!FSTYPES.contains(fsType)) {
            throw new InvalidParameterException(FSTYPE, "expected one of " + String.join(", ",
                    FSTYPES.stream().sorted().toList()) + ", got '" + fsType + "'");
        }
        return new DiskConfig(device, mountPoint, fsType, parseOptions(value(parameters, OPTIONS)),
                parseBoolean(FSCK, orDefault(value(parameters, FSCK), DEFAULT_FSCK)),
                parseBoolean(RESERVATION, orDefault(value(parameters, RESERVATION), DEFAULT_RESERVATION)),
                parseDuration(RESERVATION_TIMEOUT, orDefault(value(parameters, RESERVATION_TIMEOUT),
                        DEFAULT_RESERVATION_TIMEOUT), MIN_RESERVATION_TIMEOUT, MAX_RESERVATION_TIMEOUT),
                parseDuration(STOP_GRACE, orDefault(value(parameters, STOP_GRACE), DEFAULT_STOP_GRACE),
                        Duration.ZERO, MAX_STOP_GRACE));
    }

    /** @return true when the admin asked for a read-only mount (then the probe only reads) */
    boolean readOnly() {
        return options.contains("ro");
    }

    /** @return the value, or null when absent or blank (the admin set nothing) */
    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }

    private static Path absolutePath(String parameter, String raw) {
        if (raw == null) {
            throw new InvalidParameterException(parameter, "required, and must not be blank");
        }
        String s = raw.strip();
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidParameterException(parameter, "must not contain control characters");
        }
        Path p;
        try {
            p = Path.of(s);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException(parameter, "not a path: '" + raw + "'");
        }
        if (!p.isAbsolute()) {
            throw new InvalidParameterException(parameter, "expected an absolute path, got '" + raw + "'");
        }
        return p.normalize();
    }

    static List<String> parseOptions(String raw) {
        List<String> options = new ArrayList<>();
        if (raw == null) {
            return options;
        }
        for (String o : raw.strip().split(",", -1)) {
            if (!OPTION.matcher(o).matches()) {
                throw new InvalidParameterException(OPTIONS, "expected mount options separated by commas (for example"
                        + " 'noatime,data=ordered'), got '" + raw + "'");
            }
            String name = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
            if (REFUSED_OPTIONS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidParameterException(OPTIONS, "'" + name + "' is not allowed: the agent mounts the"
                        + " device itself at the mount point");
            }
            options.add(o);
        }
        return List.copyOf(options);
    }

    static boolean parseBoolean(String parameter, String raw) {
        switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new InvalidParameterException(parameter, "expected true or false, got '" + raw + "'");
        }
    }

    static Duration parseDuration(String parameter, String raw, Duration min, Duration max) {
        Matcher m = DURATION.matcher(raw.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidParameterException(parameter, "expected a duration such as 500ms, 10s or 1m, got '"
                    + raw + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new InvalidParameterException(parameter, "must be between " + human(min) + " and " + human(max)
                    + ", got '" + raw + "'");
        }
        return d;
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
