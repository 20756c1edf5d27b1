package org.vigil.core.internal.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.core.internal.model.ClusterDocument;

/**
 * Holds this node's copy of the cluster document and keeps it on disk. Adopts a peer's copy when it
 * supersedes the local one. A file that cannot be read is kept aside, never overwritten, so nothing the
 * admin wrote is lost; the node then starts from an empty document and adopts its peers' copy.
 */
public final class DocumentStore {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentStore.class);

    /** The largest version step a peer's document may make over the local one. */
    public static final long MAX_STEP = 1_000_000;
    /** No document version beyond this is adopted: far below overflow, far above anything an admin reaches. */
    public static final long MAX_VERSION = Long.MAX_VALUE / 2;

    private final Path file;
    private long lastJumpLog;
    private volatile ClusterDocument current;
    private final Runnable onChange;

    /** @param file where the document lives @param onChange called after every adopted change */
    public DocumentStore(Path file, Runnable onChange) {
        this.file = file;
        this.onChange = onChange;
        this.current = load(file);
    }

    private static ClusterDocument load(Path file) {
        if (!Files.exists(file)) {
            return ClusterDocument.empty();
        }
        try {
            return ClusterDocument.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".invalid-" + System.currentTimeMillis());
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                LOG.error("cannot move the unreadable cluster document {} aside: {}", file, moveFailed.toString());
            }
            LOG.error("the cluster document {} is not valid ({}); kept it as {} and starting from an empty document "
                    + "until a peer supplies its copy", file, e.getMessage(), aside);
            return ClusterDocument.empty();
        }
    }

    /** @return the current document */
    public ClusterDocument current() {
        return current;
    }

    /**
     * Applies a local change and persists it.
     *
     * @param change from the current document to the next version (must raise the version)
     * @return the new document
     * @throws IllegalArgumentException when the change is invalid; nothing is changed then
     */
    public synchronized ClusterDocument update(UnaryOperator<ClusterDocument> change) {
        ClusterDocument next = change.apply(current);
        if (next.version() <= current.version()) {
            throw new IllegalStateException("a change must raise the document version");
        }
        persist(next);
        current = next;
        onChange.run();
        return next;
    }

    /** @param doc a peer's document @return true when it superseded the local one and was adopted */
    public boolean offer(ClusterDocument doc) {
        return offer(doc, doc.origin());
    }

    /**
     * @param doc  a peer's document
     * @param from the node that sent it, for the log
     * @return true when it superseded the local one and was adopted; a version beyond {@link #MAX_STEP} of the
     *         local one is refused (logged, naming the sender): adopted, it would leave no room for the next
     *         change, and no admin makes that many changes while a node is away
     */
    public synchronized boolean offer(ClusterDocument doc, String from) {
        if (!doc.supersedes(current)) {
            return false;
        }
        if (doc.version() - current.version() > MAX_STEP || doc.version() > MAX_VERSION) {
            long now = System.nanoTime();
            if (now - lastJumpLog > 10_000_000_000L || lastJumpLog == 0) {
                lastJumpLog = now;
                LOG.error("refused cluster document version {} from {} (origin {}): it jumps more than {} versions beyond "
                        + "this node's version {}; repeats within 10 s are not logged", doc.version(), from, doc.origin(),
                        MAX_STEP, current.version());
            }
            return false;
        }
        if (doc.version() == current.version()) {
            LOG.warn("two nodes changed the cluster document at version {} at once; the change from {} wins, the one "
                    + "from {} is superseded", doc.version(), doc.origin(), current.origin());
        }
        persist(doc);
        current = doc;
        LOG.info("adopted cluster document version {} from {}", doc.version(), doc.origin());
        onChange.run();
        return true;
    }

    private void persist(ClusterDocument doc) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, doc.toPrettyJson(), StandardCharsets.UTF_8);
            StatePermissions.ownerOnly(tmp); // every command the cluster runs: not for other local users
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the cluster document " + file + ": " + e.getMessage(), e);
        }
    }
}
