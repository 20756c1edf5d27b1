package org.vigil.core.internal.heartbeat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.vigil.core.internal.engine.Alerts;
import org.vigil.core.internal.frame.FrameType;
import org.vigil.core.internal.model.ClusterDocument;

/**
 * The cluster document's protocol over the heartbeat paths. Every heartbeat announces its sender's document version
 * and digest; a node that hears of a newer document (or another one of the same version) asks that peer for it with
 * a DOCUMENT_REQUEST on the path it heard it on, at most every {@value #REQUEST_EVERY_MILLIS} ms per peer; the peer
 * answers with its document in DOCUMENT frames, in pieces that fit the path. No threads and no I/O: the caller sends
 * the frames this returns and offers the documents it returns to the store. Thread-safe.
 */
public final class DocumentProtocol {

    /** A peer is asked again for its document after this long at the soonest. */
    static final long REQUEST_EVERY_MILLIS = 300;

    private final Supplier<ClusterDocument> current;
    private final DocumentChunks chunks = new DocumentChunks();
    private final Map<String, Long> lastRequest = new ConcurrentHashMap<>();
    private final DocumentLag lag;
    /** The digest of the document last compared: computing it serializes and hashes the whole document. */
    private volatile Digested digested = new Digested(null, "");

    private record Digested(ClusterDocument doc, String digest) {
    }

    /**
     * @param current this node's document
     * @param alerts  where "behind the peers' document" and "caught up" go
     */
    public DocumentProtocol(Supplier<ClusterDocument> current, Alerts alerts) {
        this.current = current;
        this.lag = new DocumentLag(alerts);
    }

    /**
     * A peer's heartbeat announced its document.
     *
     * @return the request to send that peer on the path it came by, or null when this node holds that document (or
     *         asked for it moments ago)
     */
    Outgoing announced(String peer, long version, String digest, long now) {
        ClusterDocument mine = current.get();
        lag.heard(peer, version, mine.version(), now);
        boolean newer = version > mine.version() || (version == mine.version() && !digest.equals(digestOf(mine)));
        if (!newer) {
            return null;
        }
        Long last = lastRequest.get(peer);
        if (last != null && now - last < REQUEST_EVERY_MILLIS) {
            return null;
        }
        lastRequest.put(peer, now);
        return new Outgoing(FrameType.DOCUMENT_REQUEST, Long.toString(mine.version()).getBytes(StandardCharsets.UTF_8));
    }

    private String digestOf(ClusterDocument doc) {
        Digested d = digested;
        if (d.doc() != doc) {
            d = new Digested(doc, doc.digest());
            digested = d;
        }
        return d.digest();
    }

    /**
     * @param path    the path the piece came by (pieces differ per path: their sizes follow its frame limit)
     * @param payload a DOCUMENT frame's payload
     * @return the peer's whole document once its last piece arrived, else null
     */
    ClusterDocument piece(String peer, String path, byte[] payload) {
        return chunks.accept(peer + "/" + path, payload);
    }

    /**
     * @param maxPayload the largest payload a frame of the path carries
     * @return this node's document as DOCUMENT frames; none when it does not fit in {@link DocumentChunks#MAX_PIECES}
     */
    List<Outgoing> frames(int maxPayload) {
        return DocumentChunks.split(current.get(), maxPayload).stream()
                .map(b -> new Outgoing(FrameType.DOCUMENT, b)).toList();
    }

    /** @return this node's document version */
    long version() {
        return current.get().version();
    }

    /** @return why this node does not hold its peers' document, or "" when it does */
    String lag(long now) {
        return lag.status(now);
    }
}
