package org.vigil.resource.disk.internal;

/**
 * A Linux device number, major:minor: how the kernel names a block device, and what
 * {@code /proc/self/mountinfo}, {@code /proc/PID/maps} and {@code stat(2)} report for a file on a mounted
 * file system. Comparing these, not path names, is how the agent tells "this device" from anything else
 * (a bind mount of /, a symbolic link, a path seen from another mount namespace).
 *
 * @param major the major number
 * @param minor the minor number
 */
record DeviceNumber(long major, long minor) {

    /** @param dev a {@code dev_t} as {@code stat(2)} gives it (glibc's encoding); @return its major:minor */
    static DeviceNumber ofDev(long dev) {
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
        return new DeviceNumber(major & 0xffffffffL, minor & 0xffffffffL);
    }

    /** @return the {@code dev_t} (glibc's encoding), as {@code unix:dev} and {@code unix:rdev} report it */
    long toDev() {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /**
     * @param text "major:minor" in decimal (mountinfo) or with {@code radix} 16 (maps, "fd:01")
     * @param radix 10 or 16
     * @return the number
     * @throws NumberFormatException when it is not one
     */
    static DeviceNumber parse(String text, int radix) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new NumberFormatException("not major:minor: " + text);
        }
        return new DeviceNumber(Long.parseLong(text.substring(0, colon), radix),
                Long.parseLong(text.substring(colon + 1), radix));
    }

    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
