package org.vigil.resource.disk.internal;

import java.nio.file.Path;
import java.util.List;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationResult;

/**
 * The file system check start runs before mounting, in the mode that never asks a question and never
 * makes a change that needs a human:
 *
 * <ul>
 * <li>ext2/3/4: {@code e2fsck -p} ("preen"): replays the journal and fixes what is safe to fix
 * unattended. Exit 0 clean, 1 errors fixed, 2 fixed and a reboot advised (meant for a mounted root file
 * system; this one is not mounted): the start goes on. Exit 4 or more (errors left, operational error,
 * cancelled): the start fails with fsck's output; the admin runs {@code e2fsck} by hand.</li>
 * <li>xfs: {@code xfs_repair -n} (check only, changes nothing; XFS repairs its metadata by replaying its log
 * at mount). Exit 0 clean; 2 the log is dirty, which mounting replays: the start goes on. Exit 1
 * corruption found (or it could not run): the start fails with its output; the admin runs
 * {@code xfs_repair} by hand.</li>
 * </ul>
 */
final class Fsck {

    /** How much of a failing check's output a message quotes. */
    static final int QUOTE = 1500;

    private Fsck() {
    }

    /** @param fsType the file system type; @param device the device; @return the check's command line */
    static List<String> command(String fsType, Path device) {
        return fsType.equals("xfs") ? List.of("xfs_repair", "-n", device.toString())
                : List.of("e2fsck", "-p", device.toString());
    }

    /** @param fsType the file system type; @return the Debian package that provides the check */
    static String packageOf(String fsType) {
        return fsType.equals("xfs") ? "xfsprogs" : "e2fsprogs";
    }

    /**
     * @param fsType the file system type
     * @param device the device
     * @param r      how the check ended
     * @return OK (with a note when it changed something), FAILED with its output, or NOT_INSTALLED
     */
    static OperationResult interpret(String fsType, Path device, CommandResult r) {
        String tool = command(fsType, device).get(0);
        if (r.timedOut()) {
            return OperationResult.failed("fsck: " + tool + " on " + device + " did not finish within the start"
                    + " timeout and was stopped; run it by hand" + output(r));
        }
        if (r.exitCode() == 127) {
            return OperationResult.notInstalled("fsck: " + tool + " is not installed on this node (package "
                    + packageOf(fsType) + "), or set " + DiskConfig.FSCK + "=false");
        }
        int code = r.exitCode();
        if (fsType.equals("xfs")) {
            return switch (code) {
                case 0 -> OperationResult.ok();
                case 2 -> OperationResult.ok("fsck: the xfs log of " + device + " is dirty; mounting replays it");
                default -> OperationResult.failed("fsck: xfs_repair -n found corruption on " + device + " (exit "
                        + code + "); nothing was mounted. Run xfs_repair on it by hand" + output(r));
            };
        }
        if (code == 0) {
            return OperationResult.ok();
        }
        if (code == 1 || code == 2) {
            return OperationResult.ok("fsck: e2fsck -p fixed errors on " + device + " (exit " + code + ")" + output(r));
        }
        return OperationResult.failed("fsck: e2fsck -p found errors on " + device + " that it cannot fix unattended"
                + " (exit " + code + "); nothing was mounted. Run e2fsck on it by hand" + output(r));
    }

    private static String output(CommandResult r) {
        String out = (r.stdout().strip() + "\n" + r.stderr().strip()).strip().replaceAll("\\s*\n\\s*", " | ");
        if (out.isEmpty()) {
            return "";
        }
        return ": " + (out.length() > QUOTE ? out.substring(0, QUOTE) + " ..." : out);
    }
}
