package org.vigil.core.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.core.internal.frame.FrameCodec;
import org.vigil.plugin.support.SecretFiles;

/** Where a node keeps its files, and the two it reads at start: the cluster key and the incarnation. */
final class NodeFiles {

    private static final Logger LOG = LoggerFactory.getLogger(NodeFiles.class);

    private NodeFiles() {
    }

    /** @return the state directory: state.dir, or ${karaf.data}/vigil */
    static Path stateDir(NodeSettings s) {
        return Paths.get(s.stateDir().isBlank() ? prop("karaf.data", "data") + "/vigil" : s.stateDir());
    }

    /** @return the key file: cluster.key.file, or ${karaf.etc}/vigil-cluster.key */
    static Path keyFile(NodeSettings s) {
        return Paths.get(s.clusterKeyFile().isBlank() ? prop("karaf.etc", "etc") + "/vigil-cluster.key" : s.clusterKeyFile());
    }

    /** @return node.name, or this machine's short host name */
    static String nodeName(NodeSettings s) {
        String configured = s.configuredNodeName();
        return configured != null ? configured : hostName();
    }

    /**
     * @param file the key file
     * @return the cluster key
     * @throws IOException              naming the file when it is missing or others may read it
     * @throws IllegalArgumentException naming the file when it holds no usable key
     */
    static byte[] readKey(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("the key file " + file + " does not exist");
        }
        String refused = SecretFiles.problem("the key file", file);
        if (refused != null) {
            throw new IOException(refused);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key file " + file + " does not hold base64 text");
        }
        if (key.length < FrameCodec.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the key in " + file + " has " + key.length + " bytes; at least "
                    + FrameCodec.MIN_KEY_BYTES + " are required");
        }
        return key;
    }

    /** @return this start's incarnation, written to {@code stateDir/incarnation} */
    static long nextIncarnation(Path stateDir) throws IOException {
        Path f = stateDir.resolve("incarnation");
        long last = 0;
        if (Files.exists(f)) {
            try {
                last = Long.parseLong(Files.readString(f).trim());
            } catch (NumberFormatException e) {
                LOG.warn("{} is not a number; starting a new incarnation series", f);
            }
        }
        // Grows across restarts even if the clock steps back, and across a lost state directory via the clock.
        long next = Math.max(last + 1, System.currentTimeMillis());
        Files.writeString(f, Long.toString(next));
        return next;
    }

    private static String prop(String name, String def) {
        String v = System.getProperty(name);
        return v == null ? def : v;
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            return "node";
        }
    }
}
