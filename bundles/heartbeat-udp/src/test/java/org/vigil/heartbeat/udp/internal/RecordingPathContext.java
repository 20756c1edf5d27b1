package org.vigil.heartbeat.udp.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vigil.api.heartbeat.PathContext;

/** A PathContext that records every callback, for tests. Thread-safe like the real one. */
final class RecordingPathContext implements PathContext {

    record Frame(byte[] data, String source) {
        String text() {
            return new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    record LinkState(boolean up, String reason) {
    }

    final List<Frame> frames = new CopyOnWriteArrayList<>();
    final List<String> garbage = new CopyOnWriteArrayList<>();
    final List<LinkState> linkStates = new CopyOnWriteArrayList<>();
    private final String node;
    private final Map<String, String> parameters;

    RecordingPathContext(String node, Map<String, String> parameters) {
        this.node = node;
        this.parameters = Map.copyOf(parameters);
    }

    List<String> texts() {
        return frames.stream().map(Frame::text).toList();
    }

    @Override
    public String pathName() {
        return "lan";
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
        // Copy: the transport may reuse its buffer once this returns.
        frames.add(new Frame(Arrays.copyOfRange(data, offset, offset + length), source));
    }

    @Override
    public void garbageDiscarded(String reason) {
        garbage.add(reason);
    }

    @Override
    public void localLinkState(boolean up, String reason) {
        linkStates.add(new LinkState(up, reason));
    }
}
