package org.vigil.api.quorum;

import java.util.Set;
import org.vigil.api.resource.OperationContext;

/**
 * Decides which side of an even split keeps quorum. Registered as an OSGi service; the core uses the one
 * whose {@link #type()} the admin named in {@code quorum.tiebreaker}.
 *
 * <p>The core asks only when this node's side holds exactly half of the cluster's votes, on a worker
 * thread with a time budget, and asks again every few seconds while the split lasts. The contract that
 * makes it a tie-breaker: <b>when two sides ask about the same split, at most one gets {@code true}</b>
 * (a quorum disk: the side that holds the disk's lock; never both). An answer that cannot be given in
 * time, an exception, or any doubt must be {@code false}: a side that loses stops its resources, which
 * is safe, while two winners run the same service twice.
 */
public interface TieBreaker {

    /** @return this tie-breaker's kind, as the admin names it in {@code quorum.tiebreaker} (for example {@code disk}) */
    String type();

    /**
     * Asks whether this node's side of the split wins.
     *
     * @param localNode the asking node
     * @param side      the members on the asking node's side, the asking node included
     * @param lost      the members the asking node cannot hear (or that no longer hear it)
     * @param op        the time budget of this request
     * @return true when the asking side wins and keeps quorum; false when it loses or cannot tell
     */
    boolean wins(String localNode, Set<String> side, Set<String> lost, OperationContext op);
}
