package org.vigil.heartbeat.udp.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.plugin.support.Endpoints;

/**
 * One open udp path.
 *
 * <p>Channels are non-blocking and read through a selector rather than {@code DatagramSocket} with
 * {@code setSoTimeout}: with a multicast group the path needs two sockets (on Linux a socket bound to
 * the {@code bind} address never sees datagrams addressed to the group, and binding the wildcard
 * instead would listen beyond what the admin enabled), and the transport may not start threads, so
 * one {@link #receive} call must wait on both. Non-blocking sends also mean a full socket buffer
 * drops the frame instead of delaying the heartbeat.
 *
 * <p>{@link #send} runs on the core's sender thread and {@link #receive} on its receiver thread; they
 * share no lock (a DatagramChannel reads and writes under separate locks).
 *
 * <p>Each listed peer has a channel of its own, bound to the same address and port and connected to the peer:
 * Linux hands only a connected UDP socket the ICMP errors its datagrams cause, so this is how the path learns
 * that a peer's port is closed (its Vigil process is gone) and reports it with {@link PathContext#peerRefused}.
 * The kernel delivers a peer's datagrams to the socket connected to it and everything else to the unconnected
 * one, and every frame still leaves from the bind address and port. Sharing the port takes SO_REUSEADDR on
 * every socket; a plain bind before it keeps a second process on the same address:port failing loudly.
 */
final class UdpTransport implements HeartbeatTransport {

    /** UDP's largest IPv4 payload is 65507 bytes; leave headroom for IP options and IPv6 differences. */
    static final int MAX_FRAME_SIZE = 65_000;

    /** Cap per receive call, so a flood cannot keep one call from returning to the core's loop. */
    private static final int MAX_DATAGRAMS_PER_CALL = 256;
    private static final long LINK_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Object UNICAST = "unicast";
    private static final Object GROUP = "group";

    /** One listed peer and the channel connected to it. */
    private record Peer(InetSocketAddress address, String text, DatagramChannel channel) {
    }

    private final PathContext context;
    private final UdpConfig config;
    private final Selector selector;
    private final DatagramChannel unicast;
    private final DatagramChannel group;
    private final InetSocketAddress local;
    private final List<InetSocketAddress> destinations;
    private final List<Peer> peers;
    /** Only the receiver thread touches this buffer; one byte over the limit detects truncation. */
    private final ByteBuffer inbound = ByteBuffer.allocate(MAX_FRAME_SIZE + 1);
    private final AtomicBoolean linkUp = new AtomicBoolean(true);
    private final LinkProbe linkProbe;
    private long lastLinkCheck = System.nanoTime();
    private volatile boolean closed;

    /** Tells what is wrong with the local end of the path, or null when nothing is. */
    @FunctionalInterface
    interface LinkProbe {
        String problem(UdpTransport transport) throws SocketException;
    }

    private UdpTransport(PathContext context, UdpConfig config, Selector selector, DatagramChannel unicast,
                         DatagramChannel group, List<Peer> peers, LinkProbe linkProbe) throws IOException {
        this.context = context;
        this.linkProbe = linkProbe;
        this.config = config;
        this.selector = selector;
        this.unicast = unicast;
        this.group = group;
        this.local = (InetSocketAddress) unicast.getLocalAddress();
        this.destinations = config.group() == null ? List.of() : List.of(config.group());
        this.peers = List.copyOf(peers);
    }

    /**
     * Binds the path's sockets and reports the local link state.
     *
     * @throws IOException when a socket cannot be bound or the group cannot be joined; the link is
     *                     reported down with the same reason
     */
    static UdpTransport open(UdpConfig config, PathContext context) throws IOException {
        return open(config, context, UdpTransport::localLinkProblem);
    }

    /** As {@link #open(UdpConfig, PathContext)}, with the link check replaceable for tests. */
    static UdpTransport open(UdpConfig config, PathContext context, LinkProbe linkProbe) throws IOException {
        String bindText = Endpoints.format(config.bind());
        List<Closeable> opened = new ArrayList<>();
        String step = "bind " + bindText;
        try {
            ProtocolFamily family = config.bind().getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
            Selector selector = Selector.open();
            opened.add(selector);
            DatagramChannel unicast = DatagramChannel.open(family);
            opened.add(unicast);
            unicast.configureBlocking(false);
            // A second process on the same address:port must fail loudly, not share: a plain bind first tells.
            InetSocketAddress bound = probeBind(family, config.bind());
            unicast.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            unicast.bind(bound);
            unicast.register(selector, SelectionKey.OP_READ, UNICAST);
            bound = (InetSocketAddress) unicast.getLocalAddress();
            List<Peer> peers = new ArrayList<>();
            for (InetSocketAddress peer : config.peers()) {
                step = "bind a socket on " + bindText + " for peer " + Endpoints.format(peer);
                DatagramChannel channel = DatagramChannel.open(family);
                opened.add(channel);
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(bound);
                try {
                    channel.connect(peer);
                } catch (IOException noRoute) {
                    // No route to it now: it gets its frames from the unconnected socket, as before, and never
                    // counts as refused (no proof is better than a wrong one).
                    opened.remove(channel);
                    closeQuietly(channel);
                    channel = null;
                }
                Peer p = new Peer(peer, Endpoints.format(peer), channel);
                if (channel != null) {
                    channel.register(selector, SelectionKey.OP_READ, p);
                }
                peers.add(p);
            }

            DatagramChannel groupChannel = null;
            String detail = "";
            if (config.group() != null) {
                String groupText = Endpoints.format(config.group());
                step = "find the multicast interface";
                NetworkInterface nif = multicastInterface(config);
                // Loopback reports no multicast flag on Linux yet carries local multicast, so only "up" is checked.
                if (!nif.isUp()) {
                    throw new IOException("interface " + nif.getName() + " is down");
                }
                step = "prepare multicast sending on " + nif.getName();
                unicast.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                unicast.setOption(StandardSocketOptions.IP_MULTICAST_TTL, config.ttl());
                // Needed when several members share a host; this node's own echo is dropped in receive().
                unicast.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);

                step = "join " + groupText + " on " + nif.getName();
                groupChannel = DatagramChannel.open(family);
                opened.add(groupChannel);
                groupChannel.configureBlocking(false);
                // Every member on this host binds the same group:port; multicast gives each a copy.
                groupChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                groupChannel.bind(new InetSocketAddress(scoped(config.group().getAddress(), nif),
                        config.group().getPort()));
                groupChannel.join(config.group().getAddress(), nif);
                groupChannel.register(selector, SelectionKey.OP_READ, GROUP);
                detail = ", member of " + groupText + " on " + nif.getName() + " (ttl " + config.ttl() + ")";
            }
            UdpTransport transport = new UdpTransport(context, config, selector, unicast, groupChannel, peers, linkProbe);
            context.localLinkState(true, "bound to " + Endpoints.format(transport.local) + detail);
            return transport;
        } catch (IOException | RuntimeException e) {
            for (Closeable c : opened) {
                closeQuietly(c);
            }
            String reason = "cannot " + step + ": " + e.getMessage();
            context.localLinkState(false, reason);
            throw new IOException(reason, e);
        }
    }

    /**
     * Binds and releases a socket without SO_REUSEADDR, so an address:port another socket holds fails here.
     *
     * @return the address to bind for good: the same, with the port the kernel chose when it was 0
     */
    private static InetSocketAddress probeBind(ProtocolFamily family, InetSocketAddress bind) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open(family)) {
            probe.bind(bind);
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    private static NetworkInterface multicastInterface(UdpConfig config) throws IOException {
        if (config.interfaceName() != null) {
            NetworkInterface nif = NetworkInterface.getByName(config.interfaceName());
            if (nif == null) {
                throw new IOException("no network interface named '" + config.interfaceName() + "' on this node");
            }
            return nif;
        }
        NetworkInterface nif = NetworkInterface.getByInetAddress(config.bind().getAddress());
        if (nif == null) {
            throw new IOException("no interface holds " + config.bind().getAddress().getHostAddress()
                    + "; set the interface parameter");
        }
        return nif;
    }

    /** Linux refuses to bind a link- or interface-local IPv6 group without a scope. */
    private static InetAddress scoped(InetAddress group, NetworkInterface nif) throws IOException {
        if (group instanceof Inet6Address v6 && v6.getScopeId() == 0 && v6.getScopedInterface() == null
                && (v6.isMCLinkLocal() || v6.isMCNodeLocal())) {
            return Inet6Address.getByAddress(null, v6.getAddress(), nif);
        }
        return group;
    }

    @Override
    public void send(byte[] frame) throws IOException {
        if (frame.length > MAX_FRAME_SIZE) {
            throw new IOException("frame of " + frame.length + " bytes is larger than the " + MAX_FRAME_SIZE
                    + " bytes a udp path carries (path " + context.pathName() + ")");
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        int accepted = 0;
        List<String> failures = new ArrayList<>();
        for (Peer peer : peers) {
            try {
                if (sendTo(frame, peer)) {
                    accepted++;
                } else {
                    failures.add(peer.text() + ": socket send buffer full, frame dropped");
                }
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // One dead or unreachable peer must not keep the frame from the others.
                failures.add(peer.text() + ": " + e);
            }
        }
        for (InetSocketAddress destination : destinations) {
            try {
                if (sendTo(frame, destination)) {
                    accepted++;
                } else {
                    failures.add(Endpoints.format(destination) + ": socket send buffer full, frame dropped");
                }
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // One dead or unreachable peer must not keep the frame from the others.
                failures.add(Endpoints.format(destination) + ": " + e);
            }
        }
        if (accepted == 0 && !(destinations.isEmpty() && peers.isEmpty())) {
            throw new IOException("frame not sent on path " + context.pathName() + ": " + String.join("; ", failures));
        }
    }

    /** @return false when the send buffer was full (non-blocking: the frame is dropped, not delayed) */
    private boolean sendTo(byte[] frame, Peer peer) throws IOException {
        if (peer.channel() == null) {
            return sendTo(frame, peer.address());
        }
        try {
            return peer.channel().write(ByteBuffer.wrap(frame)) == frame.length;
        } catch (PortUnreachableException refused) {
            // The ICMP answer to an earlier frame: the peer's port is closed. That error is now consumed, so this
            // frame gets one more try (a restarted peer may be listening again).
            refused(peer);
            return peer.channel().write(ByteBuffer.wrap(frame)) == frame.length;
        }
    }

    private void refused(Peer peer) {
        context.peerRefused(peer.text(), "ICMP port unreachable");
    }

    /** @return false when the send buffer was full (non-blocking: the frame is dropped, not delayed) */
    private boolean sendTo(byte[] frame, InetSocketAddress destination) throws IOException {
        try {
            return unicast.send(ByteBuffer.wrap(frame), destination) == frame.length;
        } catch (PortUnreachableException stale) {
            // Some platforms report an ICMP error from an earlier datagram, to any peer, on a later
            // call; that error is now consumed, so this frame deserves one more try.
            return unicast.send(ByteBuffer.wrap(frame), destination) == frame.length;
        }
    }

    @Override
    public void receive(int maxWaitMillis) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        try {
            // select(0) would wait forever, so a non-positive wait means "only what is already there".
            int ready = maxWaitMillis > 0 ? selector.select(maxWaitMillis) : selector.selectNow();
            if (ready > 0 && !closed) {
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isValid() && key.isReadable()) {
                        drain((DatagramChannel) key.channel(), key.attachment());
                    }
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

    private void drain(DatagramChannel channel, Object kind) throws IOException {
        boolean fromGroup = kind == GROUP;
        for (int i = 0; i < MAX_DATAGRAMS_PER_CALL; i++) {
            inbound.clear();
            InetSocketAddress source;
            try {
                source = (InetSocketAddress) channel.receive(inbound);
            } catch (PortUnreachableException e) {
                // The ICMP answer to an earlier send, not an incoming datagram: on a peer's channel, it was refused.
                if (kind instanceof Peer peer) {
                    refused(peer);
                }
                continue;
            }
            if (source == null) {
                return;
            }
            if (fromGroup && isOwnEcho(source)) {
                // Multicast loopback returns our own frames; they are not a peer's heartbeat.
                continue;
            }
            int length = inbound.position();
            String from = Endpoints.format(source);
            if (length > MAX_FRAME_SIZE) {
                // The buffer is one byte larger than any frame, so a full buffer means the datagram was cut.
                context.garbageDiscarded("datagram too large (more than " + MAX_FRAME_SIZE + " bytes) from " + from);
            } else if (length == 0) {
                context.garbageDiscarded("empty datagram from " + from);
            } else {
                context.frameReceived(inbound.array(), 0, length, from);
            }
        }
    }

    private boolean isOwnEcho(InetSocketAddress source) {
        if (source.getPort() != local.getPort()) {
            return false;
        }
        if (!local.getAddress().isAnyLocalAddress()) {
            return source.getAddress().equals(local.getAddress());
        }
        try {
            return NetworkInterface.getByInetAddress(source.getAddress()) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /**
     * At most once a second, from the receiver thread (the sender must never wait on interface
     * enumeration): is the bound address still configured and its interface up? This tells the core
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
            problem = linkProbe.problem(this);
        } catch (SocketException e) {
            return; // cannot tell: keep the last known state rather than flap
        }
        boolean up = problem == null;
        if (linkUp.getAndSet(up) != up) {
            context.localLinkState(up, up ? "bound to " + Endpoints.format(local) + " again" : problem);
        }
    }

    private String localLinkProblem() throws SocketException {
        InetAddress address = local.getAddress();
        if (!address.isAnyLocalAddress()) {
            NetworkInterface nif = NetworkInterface.getByInetAddress(address);
            if (nif == null) {
                return "address " + address.getHostAddress() + " is no longer configured on this node";
            }
            if (!nif.isUp()) {
                return "interface " + nif.getName() + " holding " + address.getHostAddress() + " is down";
            }
        }
        if (config.group() != null && config.interfaceName() != null) {
            NetworkInterface nif = NetworkInterface.getByName(config.interfaceName());
            if (nif == null) {
                return "multicast interface " + config.interfaceName() + " is gone";
            }
            if (!nif.isUp()) {
                return "multicast interface " + config.interfaceName() + " is down";
            }
        }
        return null;
    }

    /** Only a listed peer can refuse: a multicast group answers nothing for its members. */
    @Override
    public boolean reportsRefusals() {
        return peers.stream().anyMatch(p -> p.channel() != null);
    }

    @Override
    public int maxFrameSize() {
        return MAX_FRAME_SIZE;
    }

    @Override
    public void close() {
        closed = true;
        // The selector first: closing it wakes a blocked select and deregisters the channels, so
        // closing them afterwards releases the ports at once instead of at the next select.
        closeQuietly(selector);
        if (group != null) {
            closeQuietly(group);
        }
        for (Peer peer : peers) {
            if (peer.channel() != null) {
                closeQuietly(peer.channel());
            }
        }
        closeQuietly(unicast);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // close() never throws: there is nothing useful the core could do with it
        }
    }
}
