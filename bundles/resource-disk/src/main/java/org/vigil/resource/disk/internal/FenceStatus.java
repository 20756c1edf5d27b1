package org.vigil.resource.disk.internal;

/**
 * Whether a node that holds a disk's reservation is known to be fenced (powered off or cut from the
 * storage), so its reservation can be taken over at once instead of after a lease without renewal.
 *
 * <p>The agent asks the core through {@code ResourceContext.isFenced}: true once a fence agent answered
 * NODE_OFF for the holder (or the admin confirmed it down) and it has not been heard since.
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
