package org.vigil.tck.heartbeat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vigil.api.heartbeat.PathContext;

/**
 * A {@link PathContext} that records every callback, thread-safe like the core's. Received frames are
 * copied, because a transport may reuse its buffer once {@code frameReceived} returns.
 */
public final class RecordingPathContext implements PathContext {

    /**
     * One delivered frame.
     *
     * @param data   a copy of the frame's bytes
     * @param source where the transport said it came from
     */
    public record Frame(byte[] data, String source) {
        /** @return the bytes as ISO-8859-1 text (one char per byte, so nothing is lost) */
        public String text() {
            return new String(data, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * One local link report.
     *
     * @param up     the state
     * @param reason why
     */
    public record LinkState(boolean up, String reason) {
    }

    /** Every frame delivered, in order. */
    public final List<Frame> frames = new CopyOnWriteArrayList<>();
    /** Every garbage report, in order. */
    public final List<String> garbage = new CopyOnWriteArrayList<>();
    /**
     * One fence request.
     *
     * @param from   the requesting node
     * @param reason why
     */
    public record FenceRequest(String from, String reason) {
    }

    /** Every fence request, in order (a transport repeats one while it waits for the node to be quiet). */
    public final List<FenceRequest> fenceRequests = new CopyOnWriteArrayList<>();
    /** What {@link #fenceRequested} answers: whether the node is quiet (nothing runs any more). */
    public volatile boolean quiet;

    /**
     * One refusal report.
     *
     * @param endpoint the refused endpoint
     * @param how      what refused
     */
    public record Refusal(String endpoint, String how) {
    }

    /** Every refusal report, in order. */
    public final List<Refusal> refusals = new CopyOnWriteArrayList<>();

    /** Every link state report, in order. */
    public final List<LinkState> linkStates = new CopyOnWriteArrayList<>();

    /**
     * Stands in for the core's check of the cluster key in {@link #offerFrame}: given a frame as ISO-8859-1 text,
     * whether it counts as authenticated. Every frame does unless a test sets this.
     */
    public volatile java.util.function.Predicate<String> authentic = text -> true;

    /** What {@link #heartbeatIntervalMillis} answers. */
    public volatile long intervalMillis = 100;

    private final String path;
    private final String node;
    private final Map<String, String> parameters;

    /**
     * @param path       the path's name
     * @param node       this node's name
     * @param parameters the path's parameters, defaults already filled in
     */
    public RecordingPathContext(String path, String node, Map<String, String> parameters) {
        this.path = path;
        this.node = node;
        this.parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** @return the delivered frames as ISO-8859-1 texts */
    public List<String> texts() {
        return frames.stream().map(Frame::text).toList();
    }

    @Override
    public String pathName() {
        return path;
    }

    @Override
    public String nodeName() {
        return node;
    }

    @Override
    public Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public void frameReceived(byte[] data, int offset, int length, String source) {
        frames.add(new Frame(Arrays.copyOfRange(data, offset, offset + length), source));
    }

    @Override
    public boolean offerFrame(byte[] data, int offset, int length, String source) {
        frameReceived(data, offset, length, source);
        return authentic.test(new String(data, offset, length, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Override
    public long heartbeatIntervalMillis() {
        return intervalMillis;
    }

    @Override
    public void garbageDiscarded(String reason) {
        garbage.add(reason);
    }

    @Override
    public void localLinkState(boolean up, String reason) {
        linkStates.add(new LinkState(up, reason));
    }

    @Override
    public boolean fenceRequested(String from, String reason) {
        fenceRequests.add(new FenceRequest(from, reason));
        return quiet;
    }

    @Override
    public void peerRefused(String endpoint, String how) {
        refusals.add(new Refusal(endpoint, how));
    }
}
