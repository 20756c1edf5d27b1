package org.vigil.core.internal.fence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.vigil.api.fence.FenceMessageSigner;
import org.vigil.core.internal.frame.WireNames;

/**
 * Signs and checks fencing messages with the cluster key (HMAC-SHA256). Layout (big-endian):
 *
 * <pre>
 * 'V' 'F' | version (1) | sender length (1) | sender | recipient length (1) | recipient
 * | body length (2) | body | HMAC-SHA256 of "vigil-fence-v1" and all of the above (32)
 * </pre>
 *
 * The magic differs from a heartbeat frame's ('V' 'G') and both are under the code, and the code also
 * covers a label of its own, so a fence message never passes for a frame nor a frame for one.
 */
public final class FenceSigner implements FenceMessageSigner {

    private static final byte[] LABEL = "vigil-fence-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAC_LEN = 32;
    private static final int MAX_NAME = WireNames.MAX_BYTES;

    private final String node;
    private final SecretKeySpec key;

    /**
     * @param node this node's name
     * @param key  the cluster key
     */
    public FenceSigner(String node, byte[] key) {
        this.node = node;
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        mac(new byte[0], 0); // fail now if HmacSHA256 is missing
    }

    @Override
    public String nodeName() {
        return node;
    }

    @Override
    public byte[] sign(String recipient, byte[] body) {
        byte[] s = node.getBytes(StandardCharsets.UTF_8);
        byte[] r = recipient.getBytes(StandardCharsets.UTF_8);
        if (s.length == 0 || s.length > MAX_NAME || r.length == 0 || r.length > MAX_NAME) {
            throw new IllegalArgumentException("node names in a fence message are 1 to " + MAX_NAME + " bytes");
        }
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("a fence message body is at most " + MAX_BODY + " bytes");
        }
        int len = 3 + 1 + s.length + 1 + r.length + 2 + body.length;
        ByteBuffer b = ByteBuffer.allocate(len + MAC_LEN);
        b.put((byte) 'V').put((byte) 'F').put((byte) 1).put((byte) s.length).put(s).put((byte) r.length).put(r)
                .putShort((short) body.length).put(body);
        b.put(mac(b.array(), len));
        return b.array();
    }

    @Override
    public Optional<FenceMessage> verify(byte[] m) {
        try {
            if (m == null || m.length < 3 + 2 + 2 + 2 + MAC_LEN || m[0] != 'V' || m[1] != 'F' || m[2] != 1) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(m);
            b.position(3);
            String sender = WireNames.read(b, m.length - MAC_LEN);
            String recipient = sender == null ? null : WireNames.read(b, m.length - MAC_LEN);
            if (recipient == null || b.position() + 2 > m.length - MAC_LEN) {
                return Optional.empty();
            }
            int n = b.getShort() & 0xffff;
            if (b.position() + n != m.length - MAC_LEN) {
                return Optional.empty();
            }
            byte[] expected = mac(m, m.length - MAC_LEN);
            byte[] actual = java.util.Arrays.copyOfRange(m, m.length - MAC_LEN, m.length);
            if (!MessageDigest.isEqual(expected, actual)) {
                return Optional.empty();
            }
            byte[] body = new byte[n];
            b.get(body);
            return Optional.of(new FenceMessage(sender, recipient, body));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] data, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(LABEL);
            mac.update(data, 0, len);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
