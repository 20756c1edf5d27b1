package org.vigil.core.internal.heartbeat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vigil.core.internal.model.ClusterDocument;

/**
 * The cluster document in pieces that each fit a path's frame, and their reassembly: a document of any size
 * an admin can make crosses any path. This is the document protocol (the payload of DOCUMENT frames); each
 * piece is an ordinary authenticated frame.
 *
 * <p>A document that fits one frame goes as its plain JSON, as nodes always sent it. A larger one goes as
 * pieces, each payload {@code VDC1 <version> <digest> <index> <count> <bytes>\n} followed by its part of the
 * JSON. The receiver keeps one document under assembly per sender; a piece of another document replaces it.
 */
public final class DocumentChunks {

    /** The largest document accepted in pieces (bytes of JSON). */
    public static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
    /** The most pieces of one document. */
    public static final int MAX_PIECES = 4096;
    /** Room kept in each piece for its header line. */
    static final int HEADER_ROOM = 160;
    private static final String MAGIC = "VDC1 ";

    private final Map<String, Assembly> assemblies = new ConcurrentHashMap<>();

    private static final class Assembly {
        final long version;
        final String digest;
        final byte[][] parts;
        final int total;
        int have;

        Assembly(long version, String digest, int count, int total) {
            this.version = version;
            this.digest = digest;
            this.parts = new byte[count][];
            this.total = total;
        }
    }

    /**
     * @param doc        the document
     * @param maxPayload the largest payload of the path
     * @return the payloads to send, in order; empty when the path is too small to carry even one piece or the
     *         document needs more than {@link #MAX_PIECES} of them
     */
    public static List<byte[]> split(ClusterDocument doc, int maxPayload) {
        byte[] json = doc.toJson().getBytes(StandardCharsets.UTF_8);
        if (json.length <= maxPayload) {
            return List.of(json);
        }
        int room = maxPayload - HEADER_ROOM;
        if (room < 64 || json.length > MAX_DOCUMENT_BYTES) {
            return List.of();
        }
        int count = (json.length + room - 1) / room;
        if (count > MAX_PIECES) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * room;
            int to = Math.min(json.length, from + room);
            byte[] head = (MAGIC + doc.version() + " " + doc.digest() + " " + i + " " + count + " " + json.length + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] p = Arrays.copyOf(head, head.length + to - from);
            System.arraycopy(json, from, p, head.length, to - from);
            out.add(p);
        }
        return out;
    }

    /**
     * Takes one DOCUMENT payload from a sender.
     *
     * @param sender  the authenticated sender
     * @param payload the payload
     * @return the whole document once it is complete (a plain payload is complete at once), else null
     * @throws IllegalArgumentException when the payload is neither a document nor a valid piece, or the
     *                                  reassembled document does not match the digest its pieces announced
     */
    public ClusterDocument accept(String sender, byte[] payload) {
        if (payload.length > 0 && payload[0] == '{') {
            return ClusterDocument.fromJson(new String(payload, StandardCharsets.UTF_8));
        }
        int nl = -1;
        for (int i = 0; i < Math.min(payload.length, HEADER_ROOM); i++) {
            if (payload[i] == '\n') {
                nl = i;
                break;
            }
        }
        String head = nl < 0 ? "" : new String(payload, 0, nl, StandardCharsets.US_ASCII);
        String[] f = head.split(" ");
        if (!head.startsWith(MAGIC) || f.length != 6) {
            throw new IllegalArgumentException("a document piece without a valid header");
        }
        long version;
        int index;
        int count;
        int total;
        try {
            version = Long.parseLong(f[1]);
            index = Integer.parseInt(f[3]);
            count = Integer.parseInt(f[4]);
            total = Integer.parseInt(f[5]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a document piece with a bad header: " + head);
        }
        if (count < 1 || count > MAX_PIECES || index < 0 || index >= count || total < 1 || total > MAX_DOCUMENT_BYTES) {
            throw new IllegalArgumentException("a document piece out of bounds: " + head);
        }
        String digest = f[2];
        byte[] part = Arrays.copyOfRange(payload, nl + 1, payload.length);
        synchronized (this) {
            Assembly a = assemblies.get(sender);
            if (a == null || a.version != version || !a.digest.equals(digest) || a.parts.length != count || a.total != total) {
                a = new Assembly(version, digest, count, total);
                assemblies.put(sender, a);
            }
            if (a.parts[index] == null) {
                a.parts[index] = part;
                a.have++;
            }
            if (a.have < count) {
                return null;
            }
            assemblies.remove(sender);
            ByteArrayOutputStream all = new ByteArrayOutputStream(total);
            for (byte[] p : a.parts) {
                all.writeBytes(p);
            }
            if (all.size() != total) {
                throw new IllegalArgumentException("document version " + version + " reassembled to " + all.size()
                        + " bytes, its pieces announced " + total);
            }
            ClusterDocument doc = ClusterDocument.fromJson(all.toString(StandardCharsets.UTF_8));
            if (doc.version() != version || !doc.digest().equals(digest)) {
                throw new IllegalArgumentException("document version " + version + " reassembled does not match the "
                        + "version and digest its pieces announced");
            }
            return doc;
        }
    }
}
