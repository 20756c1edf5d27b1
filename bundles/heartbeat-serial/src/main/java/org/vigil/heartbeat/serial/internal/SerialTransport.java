package org.vigil.heartbeat.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.PathContext;

/**
 * One open serial path. No thread of its own: {@link #receive} reads in slices of about 100 ms
 * (jSerialComm's semi-blocking read; the tty's VTIME counts in tenths of a second) until frames arrive
 * or the wait is over, and finds frames with {@link SerialFraming.Deframer}.
 *
 * <p><b>Sending never blocks long.</b> jSerialComm's write blocks while the tty's output buffer is full,
 * whatever the timeout mode, and TIOCOUTQ is not available on every device. So the transport paces
 * itself: it knows how long each byte occupies the line at the configured speed and keeps a model of
 * when the line will be idle; a frame that would leave the line more than two frame times (2 x
 * frame-time-ms) behind is dropped with an {@link IOException} instead of queued. Without flow control a
 * UART drains at exactly that pace whether or not anybody listens, so the output buffer never holds
 * more than two frame times and a write returns at once (at most one frame time when a 4 KiB tty buffer
 * is smaller than two frames at high speeds). Where the device reports its output queue, a queue longer
 * than that is trusted over the model.
 *
 * <p><b>Losing the device.</b> A read error (a USB adapter unplugged, the device gone) reports the local
 * link down, closes the port and tries to open it again once a second from {@code receive}; the link is
 * reported up when it opens.
 *
 * <p>Send and receive use the port at once (reads and writes of a tty are independent); closing takes
 * the port from both, waiting at most for the current read slice.
 */
final class SerialTransport implements HeartbeatTransport {

    /** About the slice a semi-blocking read waits (VTIME granularity is 100 ms). */
    static final int READ_SLICE_MILLIS = 100;
    private static final long REOPEN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final PathContext context;
    private final SerialConfig config;
    private final int maxFrame;
    private final long nanosPerByte;
    private final long maxBacklogNanos;
    private final SerialFraming.Deframer deframer;
    private final ReentrantReadWriteLock portLock = new ReentrantReadWriteLock();
    private final Object sendLock = new Object();
    /** Only the receiver thread reads into this buffer. */
    private final byte[] inbound = new byte[8192];
    private volatile SerialPort port;
    private volatile boolean closed;
    private long lineIdleAtNanos = System.nanoTime(); // guarded by sendLock
    private long nextReopenNanos;
    private String downReason;

    private SerialTransport(PathContext context, SerialConfig config, SerialPort port) {
        this.context = context;
        this.config = config;
        this.port = port;
        this.maxFrame = config.maxFrameSize();
        this.nanosPerByte = config.nanosPerByte();
        this.maxBacklogNanos = 2 * TimeUnit.MILLISECONDS.toNanos(config.frameTimeMs());
        long stall = Math.max(MIN_STALL_NANOS, 2 * (maxFrame + SerialFraming.OVERHEAD) * nanosPerByte);
        this.deframer = new SerialFraming.Deframer(maxFrame, stall);
    }

    /**
     * Opens the device and reports the local link state.
     *
     * @throws IOException when the device cannot be opened; the link is reported down with the same reason
     */
    static SerialTransport open(SerialConfig config, PathContext context) throws IOException {
        SerialPort p;
        try {
            p = openPort(config);
        } catch (IOException e) {
            context.localLinkState(false, e.getMessage());
            throw e;
        }
        SerialTransport t = new SerialTransport(context, config, p);
        context.localLinkState(true, t.openDescription());
        return t;
    }

    private String openDescription() {
        return config.device() + " open at " + config.baud() + " baud " + config.format() + ", frames up to "
                + maxFrame + " bytes";
    }

    private static SerialPort openPort(SerialConfig config) throws IOException {
        if (!java.nio.file.Files.exists(java.nio.file.Path.of(config.device()))) {
            throw new IOException("cannot open serial device " + config.device() + ": no such device");
        }
        SerialPort p;
        try {
            p = SerialPort.getCommPort(config.device());
            p.setComPortParameters(config.baud(), 8,
                    config.stopBits() == 2 ? SerialPort.TWO_STOP_BITS : SerialPort.ONE_STOP_BIT,
                    switch (config.parity()) {
                        case "even" -> SerialPort.EVEN_PARITY;
                        case "odd" -> SerialPort.ODD_PARITY;
                        default -> SerialPort.NO_PARITY;
                    });
            p.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
            p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, READ_SLICE_MILLIS, 0);
        } catch (RuntimeException | LinkageError e) {
            // An invalid name, or jSerialComm's native library could not load (a noexec java.io.tmpdir).
            throw new IOException("cannot use serial device " + config.device() + ": " + e, e);
        }
        if (!p.openPort()) {
            int errno = p.getLastErrorCode();
            throw new IOException("cannot open serial device " + config.device() + ": " + explain(errno));
        }
        return p;
    }

    private static String explain(int errno) {
        return switch (errno) {
            case 2 -> "no such device (errno 2)";
            case 13 -> "permission denied (errno 13): the node's user needs access, usually the dialout group";
            case 16 -> "device busy (errno 16): another program or path holds it";
            case 5 -> "input/output error (errno 5)";
            case 0 -> "the device did not open";
            default -> "error " + errno;
        };
    }

    // ---- sending (the core's sender thread) ----

    @Override
    public void send(byte[] frame) throws IOException {
        if (frame.length > maxFrame) {
            throw new IOException("frame of " + frame.length + " bytes is larger than the " + maxFrame
                    + " bytes a serial path at " + config.baud() + " baud carries in " + config.frameTimeMs()
                    + " ms (path " + context.pathName() + ")");
        }
        if (frame.length == 0) {
            throw new IOException("an empty frame cannot be sent");
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        byte[] wire = SerialFraming.encode(frame);
        long wireNanos = wire.length * nanosPerByte;
        synchronized (sendLock) {
            long now = System.nanoTime();
            long backlog = Math.max(0, lineIdleAtNanos - now);
            if (backlog + wireNanos > maxBacklogNanos) {
                throw new IOException("serial line busy (" + TimeUnit.NANOSECONDS.toMillis(backlog)
                        + " ms of frames still leaving at " + config.baud() + " baud): frame dropped, not queued");
            }
            portLock.readLock().lock();
            try {
                SerialPort p = port;
                if (closed) {
                    throw new ClosedChannelException();
                }
                if (p == null) {
                    throw new IOException("serial device " + config.device() + " is not open: " + downReason);
                }
                int queued = p.bytesAwaitingWrite();
                if (queued > 0 && queued * nanosPerByte + wireNanos > maxBacklogNanos) {
                    throw new IOException("serial line busy (" + queued + " bytes waiting in the device): frame dropped");
                }
                int written = p.writeBytes(wire, wire.length);
                if (written != wire.length) {
                    throw new IOException("serial device " + config.device() + " took " + written + " of "
                            + wire.length + " bytes (error " + p.getLastErrorCode() + ")");
                }
            } finally {
                portLock.readLock().unlock();
            }
            lineIdleAtNanos = Math.max(now, lineIdleAtNanos) + wireNanos;
        }
    }

    // ---- receiving (the core's receiver thread) ----

    @Override
    public void receive(int maxWaitMillis) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMillis));
        boolean[] delivered = new boolean[1];
        SerialFraming.Sink sink = new SerialFraming.Sink() {
            @Override
            public void frame(byte[] data, int offset, int length) {
                delivered[0] = true;
                context.frameReceived(data, offset, length, config.device());
            }

            @Override
            public void garbage(String reason) {
                context.garbageDiscarded(reason + " on " + config.device());
            }
        };
        do {
            if (port == null) {
                reopenIfDue();
                if (port == null) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    sleep(Math.min(READ_SLICE_MILLIS, Math.max(1, left)));
                    continue;
                }
            }
            int n;
            portLock.readLock().lock();
            try {
                SerialPort p = port;
                if (closed || p == null) {
                    continue;
                }
                n = p.readBytes(inbound, inbound.length);
            } finally {
                portLock.readLock().unlock();
            }
            long now = System.nanoTime();
            if (n < 0) {
                if (!closed) {
                    lost("read error on " + config.device() + " (" + explain(lastError()) + "): the device is gone or failed");
                }
            } else if (n > 0) {
                deframer.feed(inbound, 0, n, now, sink);
            } else {
                deframer.idle(now, sink);
            }
        } while (!closed && !delivered[0] && System.nanoTime() - deadline < 0);
    }

    private int lastError() {
        SerialPort p = port;
        return p == null ? 0 : p.getLastErrorCode();
    }

    private void lost(String reason) {
        portLock.writeLock().lock();
        try {
            SerialPort p = port;
            port = null;
            if (p != null) {
                closePortQuietly(p);
            }
        } finally {
            portLock.writeLock().unlock();
        }
        downReason = reason;
        nextReopenNanos = System.nanoTime() + REOPEN_EVERY_NANOS;
        context.localLinkState(false, reason);
    }

    private void reopenIfDue() {
        long now = System.nanoTime();
        if (closed || now - nextReopenNanos < 0) {
            return;
        }
        nextReopenNanos = now + REOPEN_EVERY_NANOS;
        SerialPort p;
        try {
            p = openPort(config);
        } catch (IOException e) {
            downReason = e.getMessage();
            return;
        }
        portLock.writeLock().lock();
        try {
            if (closed) {
                closePortQuietly(p);
                return;
            }
            port = p;
        } finally {
            portLock.writeLock().unlock();
        }
        synchronized (sendLock) {
            lineIdleAtNanos = System.nanoTime();
        }
        context.localLinkState(true, openDescription() + " again");
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for serial device");
        }
    }

    @Override
    public int maxFrameSize() {
        return maxFrame;
    }

    @Override
    public void close() {
        closed = true;
        boolean locked = false;
        try {
            // Waits for a read slice (about 100 ms) or a write in progress to finish.
            locked = portLock.writeLock().tryLock(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            SerialPort p = port;
            port = null;
            if (p != null) {
                closePortQuietly(p);
            }
        } finally {
            if (locked) {
                portLock.writeLock().unlock();
            }
        }
    }

    private static void closePortQuietly(SerialPort p) {
        try {
            p.closePort();
        } catch (RuntimeException ignored) {
            // close() never throws
        }
    }
}
