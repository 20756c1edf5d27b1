package org.vigil.heartbeat.disk.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.vigil.plugin.support.heartbeat.PathParameters;

/**
 * The parsed parameters of one disk path.
 *
 * @param device        the shared device (a block device; a plain file on ext4/xfs for tests)
 * @param intervalMs    how often the slots are polled
 * @param selfFenceMs   how long this node may go without reading its own slot before it fences itself
 *                      (0: never; then a poison pill is only trusted when acknowledged)
 * @param slots         how many slots an empty device is laid out with
 */
record DiskConfig(Path device, int intervalMs, int selfFenceMs, int slots) {

    static final String DEVICE = "device";
    static final String INTERVAL = "interval-ms";
    static final String SELF_FENCE = "self-fence-timeout-ms";
    static final String SLOTS = "slots";
    static final int DEFAULT_INTERVAL_MS = 100;
    static final int DEFAULT_SELF_FENCE_MS = 5000;
    static final int DEFAULT_SLOTS = 16;
    /** The self-fence bound must cover several polls, or a slow read would fence a healthy node. */
    static final int SELF_FENCE_POLLS = 10;

    private static final Pattern DEVICE_PATH = Pattern.compile("/[A-Za-z0-9._+@:/-]+");

    /**
     * Parses and checks a path's parameters. Never throws.
     *
     * @param parameters the parameters with defaults filled in (may be null)
     * @return the config, or one message per problem, each naming the parameter
     */
    static PathParameters<DiskConfig> parse(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        if (parameters == null) {
            return PathParameters.invalid(List.of(DEVICE + ": required (the shared heartbeat disk, for example "
                    + "/dev/disk/by-id/wwn-0x...-part2)"));
        }
        Path device = device(parameters, problems);
        int interval = PathParameters.number(parameters, INTERVAL, DEFAULT_INTERVAL_MS, 10, 1000, problems);
        int selfFence = PathParameters.number(parameters, SELF_FENCE, DEFAULT_SELF_FENCE_MS, 0, 120_000, problems);
        int slots = PathParameters.number(parameters, SLOTS, DEFAULT_SLOTS, 2, DiskLayout.MAX_SLOTS, problems);
        if (problems.isEmpty() && selfFence != 0 && selfFence < SELF_FENCE_POLLS * interval) {
            problems.add(SELF_FENCE + ": " + selfFence + " ms is less than " + SELF_FENCE_POLLS + " polls of "
                    + INTERVAL + " (" + interval + " ms); a slow read would fence a healthy node. Use at least "
                    + SELF_FENCE_POLLS * interval + ", or 0 to never self-fence");
        }
        if (!problems.isEmpty()) {
            return PathParameters.invalid(problems);
        }
        return PathParameters.valid(new DiskConfig(device, interval, selfFence, slots));
    }

    /** Parses the one parameter the fence agent shares with the transport. */
    static Path device(Map<String, String> parameters, List<String> problems) {
        String device = PathParameters.value(parameters, DEVICE);
        if (device == null) {
            problems.add(DEVICE + ": required (the shared heartbeat disk, for example /dev/disk/by-id/wwn-0x...-part2)");
            return null;
        }
        if (!DEVICE_PATH.matcher(device).matches() || device.contains("/../") || device.endsWith("/..")) {
            problems.add(DEVICE + ": '" + device + "' is not an absolute device path (for example /dev/sdb2 or "
                    + "/dev/disk/by-id/...)");
            return null;
        }
        return Path.of(device);
    }
}
