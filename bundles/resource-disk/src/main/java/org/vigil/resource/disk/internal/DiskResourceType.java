package org.vigil.resource.disk.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.ResourceType;
import org.vigil.api.resource.ResourceTypeDescription;
import org.vigil.plugin.support.resource.ParameterCheck;

/**
 * Resource type {@code disk}: a shared disk that one node mounts at a time. Start checks the ownership
 * reservation kept on the disk, checks the file system and mounts it; stop stops exactly the processes
 * holding it, unmounts it and releases the reservation; monitor checks the mount table, renews the
 * reservation and writes and reads a small probe file, all in-process.
 */
@Component(service = ResourceType.class)
public final class DiskResourceType implements ResourceType {

    static final String TYPE = "disk";

    static final Duration MONITOR_INTERVAL = DiskConfig.MONITOR_INTERVAL;

    private static final ResourceTypeDescription DESCRIPTION = new ResourceTypeDescription(TYPE,
            "A shared disk that one node mounts at a time, guarded by an ownership reservation on the disk itself",
            List.of(
                    ParameterDescription.required(DiskConfig.DEVICE,
                            "The block device that every node reaches, for example /dev/disk/by-id/wwn-0x5000c500a1b2c3d4"
                                    + " (a stable name is safer than /dev/sdX, which can differ between nodes)."),
                    ParameterDescription.required(DiskConfig.MOUNT_POINT,
                            "Absolute path of the directory to mount it on; created when missing. Not a system"
                                    + " directory such as / or /var."),
                    ParameterDescription.optional(DiskConfig.FSTYPE,
                            "The file system type: ext2, ext3, ext4 or xfs.", DiskConfig.DEFAULT_FSTYPE),
                    ParameterDescription.optional(DiskConfig.OPTIONS,
                            "Mount options separated by commas, as for mount -o (for example 'noatime'). With 'ro'"
                                    + " the monitor probe only reads. bind, rbind, move, remount and loop are refused.",
                            null),
                    ParameterDescription.optional(DiskConfig.FSCK,
                            "true to check the file system before mounting, in the mode that needs no human:"
                                    + " e2fsck -p for ext2/3/4 (errors it fixes are reported, errors it cannot fix"
                                    + " fail the start with its output), xfs_repair -n for xfs (check only; a dirty"
                                    + " log is replayed by the mount).",
                            DiskConfig.DEFAULT_FSCK),
                    ParameterDescription.optional(DiskConfig.RESERVATION,
                            "true to keep an ownership reservation in the device's last MiB, outside the file"
                                    + " system (which must leave that MiB free: mkfs.ext4 -b 4096 DEVICE"
                                    + " <size in 4 KiB blocks - 256>). A node refuses to mount a disk that another"
                                    + " live node holds.",
                            DiskConfig.DEFAULT_RESERVATION),
                    ParameterDescription.optional(DiskConfig.RESERVATION_TIMEOUT,
                            "The lease: how long a holder's reservation must go without renewal (it renews every "
                                    + MONITOR_INTERVAL.toSeconds() + " s while mounted) before another node presumes"
                                    + " the holder dead and takes the disk over; that node watches the reservation"
                                    + " this long before it mounts. Between "
                                    + DiskConfig.human(DiskConfig.MIN_RESERVATION_TIMEOUT) + " and "
                                    + DiskConfig.human(DiskConfig.MAX_RESERVATION_TIMEOUT) + ".",
                            DiskConfig.DEFAULT_RESERVATION_TIMEOUT),
                    ParameterDescription.optional(DiskConfig.STOP_GRACE,
                            "On stop, how long the processes that hold the mount (working directory, open or"
                                    + " mapped files on it) get to exit after TERM before they are killed with KILL."
                                    + " Vigil's own process is never signalled. At most "
                                    + DiskConfig.human(DiskConfig.MAX_STOP_GRACE) + ".",
                            DiskConfig.DEFAULT_STOP_GRACE)),
            Duration.ofSeconds(180), Duration.ofSeconds(60), Duration.ofSeconds(10), MONITOR_INTERVAL);

    @Override
    public ResourceTypeDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public OperationResult validate(Map<String, String> parameters) {
        return ParameterCheck.validate(parameters, DiskConfig::parse);
    }

    @Override
    public ResourceHandler createHandler(ResourceContext context) {
        return new DiskHandler(context, HolderStopped.of(context));
    }
}
