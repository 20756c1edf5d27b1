package org.vigil.heartbeat.tcp.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.plugin.support.Endpoints;

/**
 * One open tcp path: a listening socket on the bind address, one dialled connection per peer, and
 * whatever connections the peers dialled in. No thread of its own: connecting, accepting, reading and
 * redialling all happen in {@link #receive} (the core's receiver thread) through one non-blocking
 * {@link Selector}.
 *
 * <p>{@link #send} (the core's sender thread) writes each frame, as a 4-byte length and the frame, on
 * every open connection without blocking. When a socket's send buffer is full the frame is dropped on
 * that connection rather than delayed: a heartbeat must leave on time or not at all. If only part of a
 * frame fits, the rest is kept and finished by the receiver thread (and further frames on that
 * connection are dropped until it is), so a stream never carries a torn frame.
 *
 * <p>A connection is closed (and, if this node dialled it, redialled after 100 ms doubling to 2 s) when
 * its peer closes it, when it carries a length of zero or over {@link #MAX_FRAME_SIZE} (not our
 * stream, or broken: reported as garbage), when it ends in the middle of a frame (garbage), and when it
 * has carried no authenticated frame for {@link #DEFAULT_IDLE_MILLIS} ms (a peer that vanished without
 * closing: every live peer sends a heartbeat on every connection each interval; stray bytes do not count).
 *
 * <p>Strangers cannot hold the slots peers need. Only the core can tell a peer's frame from a stranger's
 * (it holds the key): {@link PathContext#offerFrame} says which frames it authenticated. An accepted
 * connection that has not carried an authenticated frame within {@link #authMillis} of its accept (two
 * heartbeat intervals, at least {@link #MIN_AUTH_MILLIS}) is closed. At most {@link #MAX_PENDING} accepted
 * connections wait to authenticate at once; a new one pushes out the oldest waiting. Authenticated
 * connections do not count against that bound, so a peer that authenticates always stays.
 *
 * <p>A dial answered "connection refused" (a reset: nothing listens on the peer's port) is reported with
 * {@link PathContext#peerRefused}, by the address dialled, which is also the source of the frames that arrive on
 * the dialled connection. A peer that does not answer (cut off, or its machine down) is not a refusal.
 */
final class TcpTransport implements HeartbeatTransport {

    /** The same limit as the udp path's, so a frame that fits one path fits the other. */
    static final int MAX_FRAME_SIZE = 65_000;
    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 2_000;
    static final long DEFAULT_IDLE_MILLIS = 10_000;
    /** A dial still unanswered after this is abandoned and retried (a SYN to a dead host waits minutes). */
    static final long CONNECT_TIMEOUT_MILLIS = 2_000;
    /**
     * Accepted connections that may wait for their first authenticated frame at once; a new one pushes out the
     * oldest waiting, so strangers cannot exhaust descriptors nor keep a restarted peer out for long.
     */
    static final int MAX_PENDING = 64;
    /** Authenticated accepted connections kept at most; beyond, the oldest goes (a peer that redialled). */
    static final int MAX_AUTHENTICATED = 32;
    /** The least time an accepted connection gets to carry its first authenticated frame. */
    static final long MIN_AUTH_MILLIS = 500;
    private static final long LINK_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_ACCEPTS_PER_CALL = 16;
    private static final int MAX_READS_PER_KEY = 16;

    private final PathContext context;
    private final TcpConfig config;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final String bindText;
    private final long idleNanos;
    private final List<Dialer> dialers = new ArrayList<>();
    /** Open connections, dialled and accepted; the sender iterates it while the receiver changes it. */
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** Only the receiver thread reads into this buffer. */
    private final ByteBuffer inbound = ByteBuffer.allocate(64 * 1024);
    private long lastLinkCheck = System.nanoTime();
    private boolean linkUp = true;
    private volatile boolean closed;

    /** One peer this node dials. Receiver thread only. */
    private final class Dialer {
        final InetSocketAddress peer;
        final String peerText;
        long backoffMillis = MIN_BACKOFF_MILLIS;
        long nextAttemptNanos;
        Connection connection;

        Dialer(InetSocketAddress peer) {
            this.peer = peer;
            this.peerText = Endpoints.format(peer);
        }
    }

    /** One connection, dialled or accepted. */
    private final class Connection {
        final SocketChannel channel;
        final Dialer dialer;
        final LengthPrefixReader reader = new LengthPrefixReader(MAX_FRAME_SIZE);
        final Object writeLock = new Object();
        volatile SelectionKey key;
        final String remote;
        volatile boolean connected;
        /** The unsent rest of a frame; guarded by writeLock. */
        ByteBuffer unsent;
        long openedNanos = System.nanoTime();
        /** When it last carried a frame the core authenticated (or connected, before the first). */
        long lastFrameNanos = System.nanoTime();
        boolean deliveredAFrame;
        boolean authenticated;

        Connection(SocketChannel channel, Dialer dialer, String remote) {
            this.channel = channel;
            this.dialer = dialer;
            this.remote = remote;
        }
    }

    private TcpTransport(PathContext context, TcpConfig config, Selector selector, ServerSocketChannel server,
            long idleMillis) throws IOException {
        this.context = context;
        this.config = config;
        this.selector = selector;
        this.server = server;
        this.bindText = Endpoints.format((InetSocketAddress) server.getLocalAddress());
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        for (InetSocketAddress peer : config.peers()) {
            dialers.add(new Dialer(peer));
        }
    }

    /** Opens with the default idle timeout. */
    static TcpTransport open(TcpConfig config, PathContext context) throws IOException {
        return open(config, context, DEFAULT_IDLE_MILLIS);
    }

    /**
     * Listens on the bind address, starts dialling the peers and reports the local link state.
     *
     * @throws IOException when the address cannot be bound; the link is reported down with the same reason
     */
    static TcpTransport open(TcpConfig config, PathContext context, long idleMillis) throws IOException {
        String bind = Endpoints.format(config.bind());
        List<Closeable> opened = new ArrayList<>();
        try {
            ProtocolFamily family = config.bind().getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
            Selector selector = Selector.open();
            opened.add(selector);
            ServerSocketChannel server = ServerSocketChannel.open(family);
            opened.add(server);
            server.configureBlocking(false);
            // Lets a node that restarts listen again at once while old connections linger in TIME_WAIT;
            // it does not let two listeners share the port.
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(config.bind(), 16);
            server.register(selector, SelectionKey.OP_ACCEPT);
            TcpTransport t = new TcpTransport(context, config, selector, server, idleMillis);
            context.localLinkState(true, "listening on " + t.bindText);
            long now = System.nanoTime();
            for (Dialer d : t.dialers) {
                t.dial(d, now);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            for (Closeable c : opened) {
                closeQuietly(c);
            }
            String reason = "cannot listen on " + bind + ": " + e.getMessage();
            context.localLinkState(false, reason);
            throw new IOException(reason, e);
        }
    }

    // ---- sending (the core's sender thread) ----

    @Override
    public void send(byte[] frame) throws IOException {
        if (frame.length > MAX_FRAME_SIZE) {
            throw new IOException("frame of " + frame.length + " bytes is larger than the " + MAX_FRAME_SIZE
                    + " bytes a tcp path carries (path " + context.pathName() + ")");
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        if (frame.length == 0) {
            throw new IOException("an empty frame cannot be sent: the receiver would take it for a broken stream");
        }
        byte[] wire = LengthPrefixReader.wire(frame);
        int open = 0;
        int sent = 0;
        List<String> failures = new ArrayList<>();
        for (Connection c : connections) {
            if (!c.connected) {
                continue;
            }
            open++;
            String failure = write(c, wire);
            if (failure == null) {
                sent++;
            } else {
                failures.add(c.remote + ": " + failure);
            }
        }
        // No connection at all: the peers are away and are being redialled; the frame is simply not sent,
        // as a datagram to an absent peer would be lost. All connections refusing it is worth a report.
        if (open > 0 && sent == 0) {
            throw new IOException("frame not sent on path " + context.pathName() + ": " + String.join("; ", failures));
        }
    }

    /** @return null when the frame went (at least into the socket buffer), else why it was dropped */
    private String write(Connection c, byte[] wire) {
        synchronized (c.writeLock) {
            try {
                if (c.unsent != null) {
                    c.channel.write(c.unsent);
                    if (c.unsent.hasRemaining()) {
                        return "the previous frame is still being written, frame dropped";
                    }
                    c.unsent = null;
                }
                ByteBuffer b = ByteBuffer.wrap(wire);
                c.channel.write(b);
                if (b.position() == 0) {
                    return "socket send buffer full, frame dropped";
                }
                if (b.hasRemaining()) {
                    c.unsent = b; // finished by the receiver thread when the socket can take it
                    wantWrite(c);
                }
                return null;
            } catch (IOException e) {
                // The receiver thread notices the closed channel, reports nothing (a peer going away is
                // not garbage) and redials when it was ours.
                closeQuietly(c.channel);
                selector.wakeup();
                return e.toString();
            }
        }
    }

    private void wantWrite(Connection c) {
        SelectionKey k = c.key;
        if (k != null && k.isValid()) {
            try {
                k.interestOpsOr(SelectionKey.OP_WRITE);
                selector.wakeup();
            } catch (RuntimeException e) {
                // cancelled meanwhile: the connection is going away
            }
        }
    }

    // ---- receiving, connecting, accepting (the core's receiver thread) ----

    @Override
    public void receive(int maxWaitMillis) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMillis));
        try {
            while (!closed) {
                long now = System.nanoTime();
                maintain(now);
                // Wake at least once a second for redials, connect timeouts and silent connections.
                long wait = Math.min(deadline - now, TimeUnit.SECONDS.toNanos(1));
                for (Dialer d : dialers) {
                    if (d.connection == null) {
                        wait = Math.min(wait, d.nextAttemptNanos - now);
                    }
                }
                long authNanos = authNanos();
                for (Connection c : connections) {
                    if (isPending(c)) {
                        wait = Math.min(wait, Math.max(0, c.openedNanos + authNanos - now));
                    }
                }
                int ready = wait >= TimeUnit.MILLISECONDS.toNanos(1)
                        ? selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)))
                        : selector.selectNow();
                boolean delivered = false;
                if (ready > 0 && !closed) {
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        delivered |= handle(key);
                    }
                }
                if (delivered || System.nanoTime() - deadline >= 0) {
                    break;
                }
            }
            if (!closed) {
                checkLocalLink();
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            if (!closed) {
                throw e instanceof IOException io ? io : new ClosedChannelException();
            }
            // Closed while waiting: return quietly, the core is shutting this path down.
        }
    }

    /** Redials what is due, drops connections closed by the sender, closes silent and unauthenticated ones. */
    private void maintain(long now) {
        long authNanos = authNanos();
        for (Connection c : connections) {
            if (!c.channel.isOpen()
                    || (c.connected && now - c.lastFrameNanos > idleNanos)
                    || (!c.connected && now - c.openedNanos > TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MILLIS))) {
                drop(c, now, null);
            } else if (isPending(c) && now - c.openedNanos > authNanos) {
                try {
                    read(c, now); // a frame may wait unread if this thread was held up: judge it first
                } catch (IOException | RuntimeException e) {
                    drop(c, now, null);
                    continue;
                }
                if (isPending(c) && connections.contains(c)) {
                    drop(c, now, "connection from " + c.remote + " closed: no authenticated frame within "
                            + TimeUnit.NANOSECONDS.toMillis(authNanos) + " ms of its accept");
                }
            }
        }
        for (Dialer d : dialers) {
            if (d.connection == null && now - d.nextAttemptNanos >= 0) {
                dial(d, now);
            }
        }
    }

    private void dial(Dialer d, long now) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(config.bind().getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (!config.bind().getAddress().isAnyLocalAddress()) {
                // Leave from the path's own address, so the path really runs on the network the admin chose.
                ch.bind(new InetSocketAddress(config.bind().getAddress(), 0));
            }
            Connection c = new Connection(ch, d, d.peerText);
            d.connection = c;
            connections.add(c);
            boolean done = ch.connect(d.peer);
            c.key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            if (done) {
                connected(c);
            }
        } catch (IOException | RuntimeException e) {
            reportRefusal(d, e);
            if (ch != null) {
                closeQuietly(ch);
                Connection c = d.connection;
                if (c != null) {
                    connections.remove(c);
                }
            }
            d.connection = null;
            retryLater(d, now);
        }
    }

    /** A dial that failed with a reset means nothing listens there; a timeout or no route tells nothing. */
    private void reportRefusal(Dialer d, Exception e) {
        if (e instanceof java.net.ConnectException && e.getMessage() != null
                && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")) {
            context.peerRefused(d.peerText, "connection refused");
        }
    }

    private void retryLater(Dialer d, long now) {
        d.nextAttemptNanos = now + TimeUnit.MILLISECONDS.toNanos(d.backoffMillis);
        d.backoffMillis = Math.min(MAX_BACKOFF_MILLIS, d.backoffMillis * 2);
    }

    private void connected(Connection c) {
        c.connected = true;
        c.openedNanos = System.nanoTime();
        c.lastFrameNanos = c.openedNanos;
    }

    /** @return true for an accepted connection still waiting for its first authenticated frame */
    private static boolean isPending(Connection c) {
        return c.dialer == null && !c.authenticated;
    }

    /** Two heartbeat intervals, at least {@link #MIN_AUTH_MILLIS}: the first frame leaves within one interval. */
    private long authNanos() {
        return TimeUnit.MILLISECONDS.toNanos(authMillis(context.heartbeatIntervalMillis()));
    }

    /** @param intervalMillis the heartbeat interval; @return how long an accepted connection has to authenticate */
    static long authMillis(long intervalMillis) {
        return Math.max(MIN_AUTH_MILLIS, 2 * intervalMillis);
    }

    /** @return true when a frame was delivered */
    private boolean handle(SelectionKey key) {
        if (!key.isValid()) {
            return false;
        }
        if (key.channel() == server) {
            if (key.isAcceptable()) {
                accept();
            }
            return false;
        }
        Connection c = (Connection) key.attachment();
        long now = System.nanoTime();
        try {
            if (key.isConnectable()) {
                try {
                    if (c.channel.finishConnect()) {
                        key.interestOps(SelectionKey.OP_READ);
                        connected(c);
                    }
                } catch (IOException e) {
                    if (c.dialer != null) {
                        reportRefusal(c.dialer, e);
                    }
                    throw e;
                }
                return false;
            }
            boolean delivered = false;
            if (key.isReadable()) {
                delivered = read(c, now);
            }
            if (key.isValid() && key.isWritable()) {
                synchronized (c.writeLock) {
                    if (c.unsent != null) {
                        c.channel.write(c.unsent);
                        if (!c.unsent.hasRemaining()) {
                            c.unsent = null;
                        }
                    }
                    if (c.unsent == null && key.isValid()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
            }
            return delivered;
        } catch (IOException | RuntimeException e) {
            drop(c, now, null);
            return false;
        }
    }

    private void accept() {
        for (int i = 0; i < MAX_ACCEPTS_PER_CALL; i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return;
            }
            if (ch == null) {
                return;
            }
            String remote;
            try {
                remote = Endpoints.format((InetSocketAddress) ch.getRemoteAddress());
            } catch (IOException e) {
                closeQuietly(ch);
                continue;
            }
            List<Connection> pending = connections.stream().filter(TcpTransport::isPending).toList();
            if (pending.size() >= MAX_PENDING) {
                // Push out the oldest rather than refuse the newest: a peer that just restarted must get its
                // turn however many strangers came first.
                Connection oldest = pending.stream().min(java.util.Comparator.comparingLong(x -> x.openedNanos)).get();
                drop(oldest, System.nanoTime(), "connection from " + oldest.remote + " closed: " + MAX_PENDING
                        + " incoming connections wait to authenticate, the oldest goes");
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                Connection c = new Connection(ch, null, remote);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                connected(c);
                connections.add(c);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
            }
        }
    }

    /** @return true when a frame was delivered */
    private boolean read(Connection c, long now) throws IOException {
        boolean delivered = false;
        for (int i = 0; i < MAX_READS_PER_KEY; i++) {
            inbound.clear();
            int n = c.channel.read(inbound);
            if (n < 0) {
                int pending = c.reader.pending();
                drop(c, now, pending == 0 ? null
                        : "connection from " + c.remote + " ended in the middle of a frame (" + pending + " bytes"
                                + (c.reader.expected() > 0 ? " of " + (c.reader.expected() + LengthPrefixReader.HEADER) : "")
                                + ")");
                return delivered;
            }
            if (n == 0) {
                return delivered;
            }
            boolean[] any = new boolean[2];
            String broken = c.reader.feed(inbound.array(), 0, n, (data, off, len) -> {
                any[0] = true;
                any[1] |= context.offerFrame(data, off, len, c.remote);
            });
            if (any[0]) {
                delivered = true;
                c.deliveredAFrame = true;
            }
            if (any[1]) {
                c.lastFrameNanos = now;
                if (!c.authenticated) {
                    c.authenticated = true;
                    limitAuthenticated(c, now);
                }
            }
            if (broken != null) {
                drop(c, now, "connection from " + c.remote + " closed: " + broken);
                return delivered;
            }
        }
        return delivered;
    }

    /** Keeps at most {@link #MAX_AUTHENTICATED} authenticated accepted connections: the oldest go. */
    private void limitAuthenticated(Connection newest, long now) {
        if (newest.dialer != null) {
            return;
        }
        List<Connection> all = connections.stream().filter(x -> x.dialer == null && x.authenticated && x != newest)
                .sorted(java.util.Comparator.comparingLong(x -> x.openedNanos)).toList();
        for (int i = 0; i < all.size() - (MAX_AUTHENTICATED - 1); i++) {
            drop(all.get(i), now, null);
        }
    }

    /**
     * Closes a connection; reports garbage when there is a reason; schedules the redial of a dialled one.
     */
    private void drop(Connection c, long now, String garbage) {
        if (!connections.remove(c)) {
            return;
        }
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
        if (garbage != null) {
            context.garbageDiscarded(garbage);
        }
        Dialer d = c.dialer;
        if (d != null && d.connection == c) {
            d.connection = null;
            if (c.connected && (c.deliveredAFrame
                    || now - c.openedNanos >= TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MILLIS))) {
                d.backoffMillis = MIN_BACKOFF_MILLIS; // it was a working connection: try again soon
            }
            retryLater(d, now);
        }
    }

    /**
     * At most once a second: is the bound address still configured and its interface up? This tells
     * "my own end is broken" apart from "the peers went quiet".
     */
    private void checkLocalLink() {
        long now = System.nanoTime();
        if (now - lastLinkCheck < LINK_CHECK_INTERVAL_NANOS) {
            return;
        }
        lastLinkCheck = now;
        String problem;
        try {
            problem = localLinkProblem();
        } catch (SocketException e) {
            return; // cannot tell: keep the last known state rather than flap
        }
        boolean up = problem == null;
        if (linkUp != up) {
            linkUp = up;
            context.localLinkState(up, up ? "listening on " + bindText + " again" : problem);
        }
    }

    private String localLinkProblem() throws SocketException {
        InetAddress address = config.bind().getAddress();
        if (address.isAnyLocalAddress()) {
            return null;
        }
        NetworkInterface nif = NetworkInterface.getByInetAddress(address);
        if (nif == null) {
            return "address " + address.getHostAddress() + " is no longer configured on this node";
        }
        if (!nif.isUp()) {
            return "interface " + nif.getName() + " holding " + address.getHostAddress() + " is down";
        }
        return null;
    }

    /** Every peer is dialled, so a refused dial tells for each of them. */
    @Override
    public boolean reportsRefusals() {
        return !dialers.isEmpty();
    }

    @Override
    public int maxFrameSize() {
        return MAX_FRAME_SIZE;
    }

    @Override
    public void close() {
        closed = true;
        // The selector first: closing it wakes a blocked select and deregisters the channels.
        closeQuietly(selector);
        closeQuietly(server);
        for (Connection c : connections) {
            closeQuietly(c.channel);
        }
        connections.clear();
    }

    /** @return how many connections are open (dialled and accepted), for tests */
    int openConnections() {
        return (int) connections.stream().filter(c -> c.connected && c.channel.isOpen()).count();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // close() never throws: there is nothing useful the core could do with it
        }
    }
}
