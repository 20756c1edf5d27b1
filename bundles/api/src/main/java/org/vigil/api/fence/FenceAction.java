package org.vigil.api.fence;

/** What a fence agent is asked to do to a node. */
public enum FenceAction {
    /** Power the node off, or otherwise cut it off for good, and return once that is certain. */
    OFF,
    /** Power-cycle the node: off, confirmed, then on. */
    REBOOT,
    /** Ask only whether the node is on or off; change nothing. */
    STATUS
}
