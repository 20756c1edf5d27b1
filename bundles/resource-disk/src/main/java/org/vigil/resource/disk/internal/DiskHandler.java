package org.vigil.resource.disk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.plugin.support.resource.ParameterCheck;
import org.vigil.resource.disk.internal.BlockDevice.NotABlockDeviceException;
import org.vigil.resource.disk.internal.Holders.Holder;
import org.vigil.resource.disk.internal.MountTable.Mount;

/**
 * Mounts one shared disk on this node: reservation, fsck, mount on start; holders stopped, unmount and
 * release on stop; mount table, reservation renewal and a write-and-read probe on monitor. Keeps no state
 * between calls: everything is read from the system (mount table, /proc, the disk), so a new handler
 * after a bundle update picks up a mounted disk at once.
 *
 * <p>Once mounted, start declares an unmount as the release action for the death of the node process
 * ({@link #UNMOUNT_ON_DEATH}); stop withdraws it once the disk is unmounted. So when only the node's JVM dies,
 * the file system is flushed and unmounted here once the lifeline killed the programs holding it, normally long
 * before another node may mount it. The reservation itself is not released by it: it lapses after
 * {@code reservation-timeout}.
 */
final class DiskHandler implements ResourceHandler {

    /** What start keeps for fsck and mount when it waits for another node's reservation to lapse. */
    static final Duration START_RESERVE = Duration.ofSeconds(30);

    /** What start keeps for mount (and the probe) out of what fsck may use. */
    static final Duration MOUNT_RESERVE = Duration.ofSeconds(15);

    /** What stop keeps for unmounting and releasing the reservation out of what the holders get. */
    static final Duration UMOUNT_RESERVE = Duration.ofSeconds(8);

    /** How long mount or umount may take at most. */
    static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);

    /** How long killed holders get to be gone after KILL, at least. */
    static final Duration KILL_WAIT = Duration.ofSeconds(3);

    private static final Duration HOLDER_POLL = Duration.ofMillis(100);

    /** The supervisor key of the unmount declared for the death of the node process. */
    static final String RELEASE = "mount";

    /**
     * The release action: {@code umount POINT}, retried every 0.2 s while it fails (the lifeline kills the
     * programs holding the mount at the same instant, so the first tries may find it busy), within the bound.
     * It ends once nothing is mounted there any more: the fast stop runs it while the node lives, its ordered stop
     * may unmount first, and a guard still retrying would unmount the next start's mount. Never a lazy unmount: it
     * would only hide a mount that a process outside Vigil still writes to.
     */
    static final String UNMOUNT_ON_DEATH = "until umount \"$1\" || ! mountpoint -q \"$1\"; do sleep 0.2; done";

    private final ResourceContext context;
    private final DiskConfig config;
    private final String configError;
    private final HolderStopped proofs;

    DiskHandler(ResourceContext context, HolderStopped proofs) {
        this.context = context;
        this.proofs = proofs;
        ParameterCheck.Parsed<DiskConfig> parsed = ParameterCheck.parse(context.parameters(), DiskConfig::parse);
        this.config = parsed.config();
        this.configError = parsed.error();
    }

    // ------------------------------------------------------------------------------------------- start

    @Override
    public OperationResult start(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        try {
            return doStart(op);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("start abandoned (interrupted)");
        } catch (IOException | RuntimeException e) {
            return OperationResult.failed("start: " + e);
        }
    }

    private OperationResult doStart(OperationContext op) throws IOException, InterruptedException {
        DeviceNumber dev;
        try {
            dev = BlockDevice.number(config.device());
        } catch (NoSuchFileException e) {
            return OperationResult.notInstalled(DiskConfig.DEVICE + ": " + config.device()
                    + " does not exist on this node");
        } catch (NotABlockDeviceException e) {
            return OperationResult.notConfigured(DiskConfig.DEVICE + ": " + e.getMessage());
        }
        Path point = canonical(config.mountPoint());
        MountTable mounts = MountTable.current();
        Optional<Mount> top = mounts.topAt(point);

        if (top.isPresent() && isWhole(top.get(), dev)) {
            if (config.reservation()) {
                Reservation.Opened opened = openReservation(dev);
                if (opened.problem() != null) {
                    return OperationResult.notConfigured(opened.problem());
                }
                Optional<String> lost = renewQuietly(opened.reservation());
                if (lost.isPresent()) {
                    return OperationResult.failed(lost.get());
                }
            }
            List<String> notes = new ArrayList<>();
            note(notes, "already mounted at " + point);
            guardRelease(point).ifPresent(n -> note(notes, n));
            return OperationResult.ok(String.join("; ", notes));
        }

        // The reservation first: nothing is checked, created or mounted while another live node holds the disk.
        Reservation reservation = null;
        boolean heldBefore = false;
        List<String> notes = new ArrayList<>();
        if (config.reservation()) {
            Reservation.Opened opened = openReservation(dev);
            if (opened.problem() != null) {
                return OperationResult.notConfigured(opened.problem());
            }
            reservation = opened.reservation();
            heldBefore = reservation.heldHere();
            OperationResult acquired = reservation.acquire(op, START_RESERVE);
            if (!acquired.isOk()) {
                return acquired;
            }
            note(notes, acquired.message());
        }

        boolean mounted = false;
        try {
            if (top.isPresent()) {
                return OperationResult.failed(DiskConfig.MOUNT_POINT + ": " + point + " already has " + top.get()
                        + " mounted; unmount it first or choose another mount point");
            }
            List<Mount> elsewhere = mounts.of(dev);
            if (!elsewhere.isEmpty()) {
                return OperationResult.failed(DiskConfig.DEVICE + ": " + config.device() + " is already mounted on"
                        + " this node at " + elsewhere.stream().map(Mount::mountPoint).collect(Collectors.joining(", "))
                        + "; refusing to check or mount it a second time");
            }
            if (config.fsck()) {
                CommandResult r = context.run(Fsck.command(config.fsType(), config.device()),
                        positive(op.remaining().minus(MOUNT_RESERVE)));
                OperationResult checked = Fsck.interpret(config.fsType(), config.device(), r);
                if (!checked.isOk()) {
                    return checked;
                }
                note(notes, checked.message());
            }
            if (Files.exists(config.mountPoint()) && !Files.isDirectory(config.mountPoint())) {
                return OperationResult.failed(DiskConfig.MOUNT_POINT + ": " + config.mountPoint()
                        + " exists and is not a directory");
            }
            Files.createDirectories(config.mountPoint());
            point = canonical(config.mountPoint());

            CommandResult r = context.run(mountCommand(point), min(MOUNT_TIMEOUT, op.remaining()));
            Optional<Mount> now = MountTable.current().topAt(point);
            if (now.isEmpty() || !isWhole(now.get(), dev)) {
                if (now.isPresent() && now.get().device().equals(dev)) {
                    context.run(List.of("umount", point.toString()), min(MOUNT_TIMEOUT, op.remaining()));
                }
                return OperationResult.failed("mount " + config.device() + " at " + point + " failed: "
                        + (r.succeeded() ? "not mounted afterwards (mount table shows " + now.map(Mount::toString)
                                .orElse("nothing") + ")" : r.describeFailure()));
            }
            mounted = true;
            // from here on the file system must leave with the node process
            guardRelease(point).ifPresent(n -> note(notes, n));
            Optional<String> probe = probe(point, now.get());
            if (probe.isPresent()) {
                CommandResult u = context.run(List.of("umount", point.toString()), min(MOUNT_TIMEOUT, op.remaining()));
                mounted = !u.succeeded();
                if (!mounted) {
                    context.processes().withdrawGuard(RELEASE);
                }
                return OperationResult.failed("mounted, but " + probe.get() + (mounted ? "; and unmounting failed: "
                        + u.describeFailure() : "; unmounted again"));
            }
            return notes.isEmpty() ? OperationResult.ok() : OperationResult.ok(String.join("; ", notes));
        } finally {
            if (!mounted && reservation != null && !heldBefore) {
                releaseQuietly(reservation);
            }
        }
    }

    private List<String> mountCommand(Path point) {
        List<String> argv = new ArrayList<>(List.of("mount", "-t", config.fsType()));
        if (!config.options().isEmpty()) {
            argv.add("-o");
            argv.add(String.join(",", config.options()));
        }
        argv.add(config.device().toString());
        argv.add(point.toString());
        return argv;
    }

    // -------------------------------------------------------------------------------------------- stop

    @Override
    public OperationResult stop(OperationContext op) {
        if (config == null) {
            return OperationResult.ok(); // with these parameters nothing was ever mounted by this agent
        }
        try {
            return doStop(op);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed("stop abandoned (interrupted); " + config.device() + " may still be mounted");
        } catch (IOException | RuntimeException e) {
            return OperationResult.failed("stop: " + e);
        }
    }

    private OperationResult doStop(OperationContext op) throws IOException, InterruptedException {
        OperationResult r = unmountAndRelease(op);
        if (r.isOk()) {
            context.processes().withdrawGuard(RELEASE); // unmounted: nothing left to release
        }
        return r;
    }

    private OperationResult unmountAndRelease(OperationContext op) throws IOException, InterruptedException {
        DeviceNumber dev;
        try {
            dev = BlockDevice.number(config.device());
        } catch (NoSuchFileException e) {
            dev = null; // gone (a storage path lost?): a mount of it may still be there, found by its source
        } catch (NotABlockDeviceException e) {
            return OperationResult.ok();
        }
        Path point = canonical(config.mountPoint());
        List<String> notes = new ArrayList<>();
        boolean unmounted = false;
        while (true) {
            MountTable mounts = MountTable.current();
            if (dev == null) {
                Optional<Mount> top = mounts.topAt(point);
                if (top.isEmpty() || !top.get().source().equals(config.device().toString())) {
                    return OperationResult.ok(config.device() + " does not exist on this node; nothing mounted at "
                            + point);
                }
                dev = top.get().device();
            }
            DeviceNumber ours = dev;
            List<Mount> here = mounts.at(point);
            if (here.stream().noneMatch(m -> m.device().equals(ours))) {
                break;
            }
            Mount top = here.get(here.size() - 1);
            if (!top.device().equals(dev)) {
                return OperationResult.failed(DiskConfig.MOUNT_POINT + ": " + top + " is mounted over "
                        + config.device() + "; unmount it first");
            }
            List<Mount> inside = mounts.inside(top);
            if (!inside.isEmpty()) {
                return OperationResult.failed("cannot unmount " + point + ": other file systems are mounted inside it ("
                        + inside.stream().map(Mount::mountPoint).collect(Collectors.joining(", "))
                        + "); unmount them first");
            }
            stopHolders(dev, op, notes);
            deleteProbe(point);
            CommandResult u = context.run(List.of("umount", point.toString()),
                    min(MOUNT_TIMEOUT, positive(op.remaining().minus(Duration.ofSeconds(1)))));
            if (u.succeeded()) {
                unmounted = true;
                continue; // the same device may be mounted there twice
            }
            if (MountTable.current().at(point).stream().noneMatch(m -> m.device().equals(ours))) {
                // Unmounted meanwhile by the release guard (a lease lapse runs it just before the ordered stops).
                unmounted = true;
                continue;
            }
            List<Holder> left = Holders.of(dev);
            boolean canRetry = left.stream().anyMatch(Holder::killable)
                    && op.remaining().compareTo(UMOUNT_RESERVE) > 0;
            if (!canRetry) {
                return OperationResult.failed("cannot unmount " + point + ": " + u.describeFailure()
                        + describeHolders(left) + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")"));
            }
        }
        if (dev == null) {
            return OperationResult.ok();
        }

        List<String> still = new ArrayList<>();
        MountTable.current().of(dev).forEach(m -> still.add(m.mountPoint()));
        still.addAll(MountTable.inOtherNamespaces(dev));
        Reservation.Opened opened = config.reservation() ? openReservation(dev) : new Reservation.Opened(null, null);
        Optional<Reservation> reservation = Optional.ofNullable(opened.reservation());
        boolean heldHere = reservation.isPresent() && heldHereQuietly(reservation.get());
        if (opened.problem() != null && config.reservation()) {
            note(notes, "the reservation was not touched: " + opened.problem());
        }
        if (!still.isEmpty() && (unmounted || heldHere)) {
            return OperationResult.failed(config.device() + " is still mounted on this node at " + String.join(", ", still)
                    + (heldHere ? "; the reservation is kept so that no other node mounts it" : "")
                    + ". Unmount it there, then run vigil:cleanup");
        }
        if (heldHere) {
            try {
                reservation.get().release();
            } catch (IOException e) {
                note(notes, "the reservation could not be released (" + e.getMessage() + "); another node takes the"
                        + " disk over once it lapses (" + DiskConfig.human(config.reservationTimeout()) + ")");
            }
        }
        return notes.isEmpty() ? OperationResult.ok() : OperationResult.ok(String.join("; ", notes));
    }

    /**
     * Stops the processes holding the file system: TERM, up to stop-grace for them to go, then KILL. Never
     * this JVM, its ancestors or pid 1 (left for the unmount to report).
     */
    private void stopHolders(DeviceNumber dev, OperationContext op, List<String> notes) throws InterruptedException {
        List<Holder> holders = Holders.of(dev).stream().filter(Holder::killable).toList();
        if (holders.isEmpty()) {
            return;
        }
        Map<Long, String> signalled = new LinkedHashMap<>();
        for (Holder h : holders) {
            if (h.process().destroy()) {
                signalled.put(h.process().pid(), h + " by TERM");
            }
        }
        long graceEnd = System.nanoTime() + min(config.stopGrace(), op.remaining().minus(UMOUNT_RESERVE)).toNanos();
        List<Holder> left = awaitGone(dev, graceEnd);
        for (Holder h : left) {
            if (h.process().destroyForcibly()) {
                signalled.put(h.process().pid(), h + " by KILL");
            }
        }
        if (!left.isEmpty()) {
            Duration wait = op.remaining().minus(UMOUNT_RESERVE);
            awaitGone(dev, System.nanoTime() + (wait.compareTo(KILL_WAIT) < 0 ? KILL_WAIT : wait).toNanos());
        }
        if (!signalled.isEmpty()) {
            note(notes, "stopped processes holding " + config.mountPoint() + ": "
                    + String.join(", ", signalled.values()));
        }
    }

    /** @return the killable holders still there when they are all gone (empty) or at the deadline */
    private static List<Holder> awaitGone(DeviceNumber dev, long deadline) throws InterruptedException {
        while (true) {
            List<Holder> left = Holders.of(dev).stream().filter(Holder::killable).toList();
            if (left.isEmpty() || System.nanoTime() - deadline >= 0) {
                return left;
            }
            Thread.sleep(HOLDER_POLL.toMillis());
        }
    }

    private static String describeHolders(List<Holder> holders) {
        if (holders.isEmpty()) {
            return "; no process holds it (the kernel does: a loop device, swap file or NFS export on it?)";
        }
        List<String> own = holders.stream().filter(h -> !h.killable()).map(h -> h.process().pid()
                == ProcessHandle.current().pid() ? h + " - this node's own process" : h.toString()).toList();
        List<String> others = holders.stream().filter(Holder::killable).map(Holder::toString).toList();
        return (own.isEmpty() ? "" : "; held by processes Vigil never kills: " + String.join(", ", own))
                + (others.isEmpty() ? "" : "; still held by: " + String.join(", ", others));
    }

    // ----------------------------------------------------------------------------------------- monitor

    @Override
    public OperationResult monitor(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        try {
            return doMonitor();
        } catch (IOException | RuntimeException e) {
            return OperationResult.failed("monitor: " + e);
        }
    }

    private OperationResult doMonitor() throws IOException {
        Path point = canonical(config.mountPoint());
        MountTable mounts = MountTable.current();
        Optional<Mount> top = mounts.topAt(point);
        DeviceNumber dev;
        try {
            dev = BlockDevice.number(config.device());
        } catch (NoSuchFileException | NotABlockDeviceException e) {
            return top.isPresent() && top.get().source().equals(config.device().toString())
                    ? OperationResult.failed(config.device() + " is mounted at " + point + " but the device is gone")
                    : OperationResult.notRunning();
        }
        if (top.isEmpty()) {
            List<Mount> elsewhere = mounts.of(dev);
            return elsewhere.isEmpty() ? OperationResult.notRunning()
                    : OperationResult.failed(config.device() + " is mounted at " + elsewhere.stream()
                            .map(Mount::mountPoint).collect(Collectors.joining(", ")) + ", not at " + point);
        }
        Mount m = top.get();
        if (!m.device().equals(dev)) {
            return OperationResult.failed(DiskConfig.MOUNT_POINT + ": " + point + " has " + m + " mounted, not "
                    + config.device() + " (" + dev + ")");
        }
        if (!isWhole(m, dev)) {
            return OperationResult.failed(DiskConfig.MOUNT_POINT + ": " + point + " has only the directory " + m.root()
                    + " of " + config.device() + " mounted (a bind mount), not the file system");
        }
        if (m.readOnly() && !config.readOnly()) {
            return OperationResult.failed(config.device() + " at " + point + " is mounted read-only (the kernel does"
                    + " that after file system errors; see dmesg)");
        }
        if (config.reservation()) {
            Reservation.Opened opened = openReservation(dev);
            if (opened.problem() != null) {
                return OperationResult.failed(opened.problem());
            }
            Optional<String> lost;
            try {
                lost = opened.reservation().renew();
            } catch (IOException e) {
                return OperationResult.failed("cannot renew the reservation on " + config.device() + ": " + e);
            }
            if (lost.isPresent()) {
                return OperationResult.failed(lost.get());
            }
        }
        Optional<String> probe = probe(point, m);
        return probe.isPresent() ? OperationResult.failed(probe.get()) : OperationResult.ok();
    }

    // ----------------------------------------------------------------------------------------- helpers

    /** @return empty when the small write-and-read probe passed, otherwise what went wrong */
    private Optional<String> probe(Path point, Mount m) {
        try {
            if (config.readOnly()) {
                try (DirectoryStream<Path> d = Files.newDirectoryStream(point)) {
                    d.iterator().hasNext();
                }
                return Optional.empty();
            }
            Path file = probeFile(point);
            byte[] data = ("vigil probe of node " + context.nodeName() + " at " + System.currentTimeMillis() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            byte[] back = Files.readAllBytes(file);
            return Arrays.equals(back, data) ? Optional.empty()
                    : Optional.of("the probe file " + file + " read back differently from what was written");
        } catch (IOException | RuntimeException e) {
            return Optional.of("the write-and-read probe on " + m.mountPoint() + " failed: " + e);
        }
    }

    private Path probeFile(Path point) {
        return point.resolve(".vigil-probe-" + context.nodeName().replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private void deleteProbe(Path point) {
        try {
            Files.deleteIfExists(probeFile(point));
        } catch (IOException | RuntimeException e) {
            // a read-only or broken file system: the probe file stays, harmlessly
        }
    }

    private Reservation.Opened openReservation(DeviceNumber dev) throws IOException {
        return Reservation.open(config.device(), dev, config.fsType(), context.nodeName(), config.reservationTimeout(),
                proofs);
    }

    private Optional<String> renewQuietly(Reservation r) {
        try {
            return r.renew();
        } catch (IOException e) {
            return Optional.of("cannot renew the reservation on " + config.device() + ": " + e);
        }
    }

    private static boolean heldHereQuietly(Reservation r) {
        try {
            return r.heldHere();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Declares the unmount of {@code point} as the release action for the death of the node process, bounded by
     * the reservation's lease (it normally ends within a fraction of a second, once the lifeline killed the
     * holders).
     *
     * @return a note when it cannot be declared
     */
    private Optional<String> guardRelease(Path point) {
        Duration bound = config.reservation() ? config.reservationTimeout().minusSeconds(1) : MOUNT_TIMEOUT;
        if (bound.compareTo(MOUNT_TIMEOUT) > 0) {
            bound = MOUNT_TIMEOUT;
        }
        if (bound.compareTo(Duration.ofSeconds(1)) < 0) {
            bound = Duration.ofSeconds(1);
        }
        try {
            context.processes().guard(RELEASE, List.of("/bin/sh", "-c", UNMOUNT_ON_DEATH, "vigil-umount",
                    point.toString()), bound);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(point + " is not guarded: if the node process dies, it stays mounted here ("
                    + e.getMessage() + ")");
        }
    }

    private static void releaseQuietly(Reservation r) {
        try {
            r.release();
        } catch (IOException | RuntimeException e) {
            // it lapses on its own after the lease
        }
    }

    /** @return true when the mount is the whole file system of the device (not a bind of one directory) */
    private static boolean isWhole(Mount m, DeviceNumber dev) {
        return m.device().equals(dev) && m.root().equals("/");
    }

    /** The path as the mount table shows it: symbolic links resolved where the path exists. */
    static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static void note(List<String> notes, String note) {
        if (note != null && !note.isEmpty()) {
            notes.add(note);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return positive(a.compareTo(b) <= 0 ? a : b);
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
