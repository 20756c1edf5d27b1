package org.vigil.core.internal.publicnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Link state of network interfaces, read in-process from the kernel's {@code /sys/class/net} (no fork): an
 * interface is up when it exists, is administratively up (IFF_UP in {@code flags}), has a carrier
 * ({@code carrier} = 1) and its {@code operstate} is {@code up} (or {@code unknown}, which drivers without
 * operational state report, with a carrier).
 */
public final class Links {

    /** The kernel's view of one interface. @param up true when it carries traffic @param detail why not, or "up" */
    public record Link(boolean up, String detail) {
    }

    private final Path root;

    /** @param root the sysfs network class directory ({@code /sys/class/net}; a copy of its layout in tests) */
    public Links(Path root) {
        this.root = root;
    }

    /** @return the links of this machine (this network namespace's sysfs) */
    public static Links system() {
        return new Links(Paths.get("/sys/class/net"));
    }

    /** @param name an interface name; @return its state */
    public Link read(String name) {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            return new Link(false, "no such interface");
        }
        String flags = text(dir.resolve("flags"));
        if (flags != null) {
            try {
                if ((Long.decode(flags) & 1) == 0) {
                    return new Link(false, "administratively down");
                }
            } catch (NumberFormatException e) {
                // unreadable flags: carrier and operstate decide
            }
        }
        String carrier = text(dir.resolve("carrier")); // EINVAL (null here) while administratively down
        if (!"1".equals(carrier)) {
            return new Link(false, "no carrier");
        }
        String oper = text(dir.resolve("operstate"));
        if (oper != null && !oper.equals("up") && !oper.equals("unknown")) {
            return new Link(false, "operstate " + oper);
        }
        return new Link(true, "up");
    }

    private static String text(Path f) {
        try {
            return Files.readString(f, StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
