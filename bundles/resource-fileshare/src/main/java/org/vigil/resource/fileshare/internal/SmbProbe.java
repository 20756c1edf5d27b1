package org.vigil.resource.fileshare.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import org.vigil.plugin.support.Endpoints;

/**
 * The file share's health check, in-process (no smbclient fork): a TCP connection to the listen address and
 * an SMB2 NEGOTIATE exchange on it, which smbd only answers once it has forked the connection's server
 * process and loaded its configuration. It proves that smbd accepts and serves SMB on the address, without
 * logging in. One connection, closed afterwards.
 */
final class SmbProbe {

    /** SMB 2.1 and 3.0.2: smb.conf sets {@code server min protocol = SMB2_10}; smbd picks the highest. */
    private static final short[] DIALECTS = {0x0210, 0x0300, 0x0302};
    private static final Duration IN_USE_TIMEOUT = Duration.ofMillis(500);
    private static final int MAX_RESPONSE = 65536;

    private SmbProbe() {
    }

    /** @param listen the address and port; @return true when something accepts TCP connections there now */
    static boolean inUse(InetSocketAddress listen) {
        try (Socket s = new Socket()) {
            s.connect(listen, (int) IN_USE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false; // refused (free), or no answer: smbd's own bind will tell
        }
    }

    /**
     * @param listen  the address and port
     * @param timeout how long connecting may take, and again reading the answer
     * @return empty when smbd answered the negotiation with success, otherwise why not
     */
    static Optional<String> check(InetSocketAddress listen, Duration timeout) {
        String where = "SMB negotiate with " + Endpoints.format(listen);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket s = new Socket()) {
            s.connect(listen, millis);
            s.setSoTimeout(millis);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            out.write(negotiateRequest());
            out.flush();
            byte[] response = readMessage(s.getInputStream());
            return verify(response).map(problem -> where + ": " + problem);
        } catch (IOException e) {
            return Optional.of(where + ": " + e);
        }
    }

    /** @return an SMB2 NEGOTIATE request in its direct-TCP frame (a 4-byte length, then the message) */
    static byte[] negotiateRequest() {
        ByteBuffer m = ByteBuffer.allocate(64 + 36 + 2 * DIALECTS.length).order(ByteOrder.LITTLE_ENDIAN);
        // SMB2 header
        m.put(new byte[] {(byte) 0xFE, 'S', 'M', 'B'});
        m.putShort((short) 64);     // StructureSize
        m.putShort((short) 0);      // CreditCharge
        m.putInt(0);                // Status
        m.putShort((short) 0);      // Command: NEGOTIATE
        m.putShort((short) 1);      // CreditRequest
        m.putInt(0);                // Flags
        m.putInt(0);                // NextCommand
        m.putLong(0);               // MessageId
        m.putInt(0);                // Reserved (ProcessId)
        m.putInt(0);                // TreeId
        m.putLong(0);               // SessionId
        m.put(new byte[16]);        // Signature
        // NEGOTIATE request
        m.putShort((short) 36);     // StructureSize
        m.putShort((short) DIALECTS.length);
        m.putShort((short) 1);      // SecurityMode: signing enabled
        m.putShort((short) 0);      // Reserved
        m.putInt(0);                // Capabilities
        m.put(new byte[16]);        // ClientGuid
        m.putLong(0);               // ClientStartTime
        for (short d : DIALECTS) {
            m.putShort(d);
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        int length = m.capacity();
        frame.write(0);
        frame.write((length >> 16) & 0xFF);
        frame.write((length >> 8) & 0xFF);
        frame.write(length & 0xFF);
        frame.writeBytes(m.array());
        return frame.toByteArray();
    }

    private static byte[] readMessage(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int type;
        int length;
        try {
            type = d.readUnsignedByte();
            length = (d.readUnsignedByte() << 16) | (d.readUnsignedByte() << 8) | d.readUnsignedByte();
        } catch (EOFException e) {
            throw new IOException("connection closed without an answer");
        }
        if (type != 0) {
            throw new IOException("not a session message (type 0x" + Integer.toHexString(type) + ")");
        }
        if (length < 64 || length > MAX_RESPONSE) {
            throw new IOException("implausible message length " + length);
        }
        byte[] message = new byte[length];
        d.readFully(message);
        return message;
    }

    /** @param message an SMB message without its frame; @return empty when it is a successful NEGOTIATE answer */
    static Optional<String> verify(byte[] message) {
        ByteBuffer m = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        if (message.length < 64 + 8 || (message[0] & 0xFF) != 0xFE || message[1] != 'S' || message[2] != 'M'
                || message[3] != 'B') {
            return Optional.of("the answer is not an SMB2 message");
        }
        int status = m.getInt(8);
        int command = m.getShort(12) & 0xFFFF;
        int flags = m.getInt(16);
        if (command != 0 || (flags & 1) == 0) {
            return Optional.of("the answer is not a NEGOTIATE response (command " + command + ")");
        }
        if (status != 0) {
            return Optional.of("smbd refused the negotiation with status 0x" + Integer.toHexString(status));
        }
        int dialect = m.getShort(64 + 4) & 0xFFFF;
        for (short d : DIALECTS) {
            if (d == dialect) {
                return Optional.empty();
            }
        }
        return Optional.of("smbd chose dialect 0x" + Integer.toHexString(dialect) + ", which was not offered");
    }
}
