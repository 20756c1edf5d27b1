package org.vigil.heartbeat.serial.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.vigil.plugin.support.heartbeat.PathParameters;

/**
 * The parsed parameters of one serial path, and the frame budget they imply.
 *
 * <p><b>Size budget.</b> A line carries {@code baud / bits-per-character} bytes a second: 8 data bits
 * (fixed: frames are binary), a start bit, a parity bit unless parity is none, and 1 or 2 stop bits;
 * 115200 baud 8N1 is 11520 bytes/s, about 11.5 bytes per millisecond. A frame may occupy the line for at
 * most {@code frame-time-ms} (default 50 ms, half the core's default heartbeat interval of 100 ms), so
 * {@code maxFrameSize = min(4096, bytes in frame-time-ms - 10 bytes of framing)}: 566 bytes at 115200
 * 8N1, 278 at 57600, 1142 at 230400. The core does not send a frame over the limit on this path (it
 * counts a send error), so a heartbeat that outgrows it (many groups and resources) shows as a path
 * that stops carrying heartbeats: raise the baud rate, or raise frame-time-ms together with the
 * heartbeat interval. Cluster documents (larger) travel on the network paths.
 *
 * @param device      the device path
 * @param baud        the line speed
 * @param parity      none, even or odd
 * @param stopBits    1 or 2
 * @param frameTimeMs the most line time one frame may take
 */
record SerialConfig(String device, int baud, String parity, int stopBits, int frameTimeMs) {

    static final String DEVICE = "device";
    static final String BAUD = "baud";
    static final String PARITY = "parity";
    static final String STOP_BITS = "stop-bits";
    static final String FRAME_TIME = "frame-time-ms";
    static final int DEFAULT_BAUD = 115_200;
    static final String DEFAULT_PARITY = "none";
    static final int DEFAULT_STOP_BITS = 1;
    static final int DEFAULT_FRAME_TIME_MS = 50;
    /** A frame limit below this cannot carry a heartbeat of a small cluster. */
    static final int MIN_USEFUL_FRAME = 256;

    private static final Pattern DEVICE_PATH = Pattern.compile("/[A-Za-z0-9._+@:/-]+");

    /** @return bits on the line per byte of data */
    double bitsPerByte() {
        return 1 + 8 + (parity.equals("none") ? 0 : 1) + stopBits;
    }

    /** @return bytes the line carries per second */
    double bytesPerSecond() {
        return baud / bitsPerByte();
    }

    /** @return nanoseconds one byte occupies the line */
    long nanosPerByte() {
        return (long) Math.ceil(1e9 / bytesPerSecond());
    }

    /** @return the largest frame: what crosses in frame-time-ms, less the framing, at most 4096 */
    int maxFrameSize() {
        long budget = (long) Math.floor(bytesPerSecond() * frameTimeMs / 1000.0) - SerialFraming.OVERHEAD;
        return (int) Math.max(0, Math.min(SerialFraming.MAX_LIMIT, budget));
    }

    /** @return "8N1", "8E2"... */
    String format() {
        return "8" + Character.toUpperCase(parity.charAt(0)) + stopBits;
    }

    /**
     * Parses and checks a path's parameters. Never throws.
     *
     * @param parameters the parameters with defaults filled in (may be null)
     * @return the config, or one message per problem
     */
    static PathParameters<SerialConfig> parse(Map<String, String> parameters) {
        List<String> problems = new ArrayList<>();
        if (parameters == null) {
            problems.add(DEVICE + ": required (the serial device, for example /dev/ttyS0)");
            return PathParameters.invalid(problems);
        }
        String device = PathParameters.value(parameters, DEVICE);
        if (device == null) {
            problems.add(DEVICE + ": required (the serial device, for example /dev/ttyS0)");
        } else if (!DEVICE_PATH.matcher(device).matches() || device.contains("/../") || device.endsWith("/..")) {
            problems.add(DEVICE + ": '" + device + "' is not an absolute device path (for example /dev/ttyS0 or /dev/ttyUSB0)");
        }
        int baud = PathParameters.number(parameters, BAUD, DEFAULT_BAUD, 50, 4_000_000, problems);
        String parity = PathParameters.value(parameters, PARITY);
        parity = parity == null ? DEFAULT_PARITY : parity.toLowerCase(Locale.ROOT);
        if (!List.of("none", "even", "odd").contains(parity)) {
            problems.add(PARITY + ": '" + parameters.get(PARITY).strip() + "' is not none, even or odd");
            parity = DEFAULT_PARITY;
        }
        int stopBits = PathParameters.number(parameters, STOP_BITS, DEFAULT_STOP_BITS, 1, 2, problems);
        int frameTime = PathParameters.number(parameters, FRAME_TIME, DEFAULT_FRAME_TIME_MS, 10, 1000, problems);
        if (!problems.isEmpty()) {
            return PathParameters.invalid(problems);
        }
        SerialConfig c = new SerialConfig(device, baud, parity, stopBits, frameTime);
        if (c.maxFrameSize() < MIN_USEFUL_FRAME) {
            problems.add(FRAME_TIME + ": at " + baud + " baud " + c.format() + " a frame of " + frameTime + " ms carries only "
                    + c.maxFrameSize() + " bytes, and a heartbeat needs at least " + MIN_USEFUL_FRAME
                    + "; raise " + BAUD + ", or raise " + FRAME_TIME + " to at least "
                    + (int) Math.ceil((MIN_USEFUL_FRAME + SerialFraming.OVERHEAD) * 1000.0 / c.bytesPerSecond())
                    + " together with the node's heartbeat interval");
            return PathParameters.invalid(problems);
        }
        return PathParameters.valid(c);
    }
}
