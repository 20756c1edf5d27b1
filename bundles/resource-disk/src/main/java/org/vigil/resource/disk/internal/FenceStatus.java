package org.vigil.resource.disk.internal;

/**
 * Whether a node that holds a disk's reservation is known to be fenced (powered off or cut from the
 * storage), so its reservation can be taken over at once instead of after a lease without renewal.
 *
 * <p>The hook for fencing (issue 5): the core does not offer this yet, so the agent uses {@link #NONE}
 * and a takeover always waits out the holder's lease. When the core can tell, the agent asks it here;
 * nothing else in the reservation changes.
 */
@FunctionalInterface
interface FenceStatus {

    /** No fencing information: no node is ever known to be fenced. */
    FenceStatus NONE = node -> false;

    /**
     * @param node the holder named in the reservation record
     * @return true only when that node is known to have been fenced since it last wrote the record
     */
    boolean isFenced(String node);
}
