package org.vigil.core.internal.policy;

/** A step the policy asks this node's executor to carry out. */
public sealed interface Action {

    /** @return the group the action belongs to (for an orphan: the empty string) */
    String group();

    /** @return a one-line rendering for logs and golden scenarios */
    String render();

    /** @return the resource the action is about (empty for document changes) */
    String resource();

    /**
     * Start one resource of a group here.
     *
     * @param group    the group
     * @param resource the resource
     * @param handover true when the start is a planned hand-over ({@link Handover}): the agent may skip its check
     *                 that no other host holds the resource
     */
    record Start(String group, String resource, boolean handover) implements Action {
        /** A start that is not a planned hand-over. @param group the group @param resource the resource */
        public Start(String group, String resource) {
            this(group, resource, false);
        }

        public String render() {
            return "start " + group + "/" + resource + (handover ? " (planned hand-over)" : "");
        }
    }

    /** Stop one resource here. @param group the group @param resource the resource */
    record Stop(String group, String resource) implements Action {
        public String render() {
            return "stop " + group + "/" + resource;
        }
    }

    /** Find out whether a resource runs here. @param group the group @param resource the resource */
    record Probe(String group, String resource) implements Action {
        public String render() {
            return "probe " + group + "/" + resource;
        }
    }

    /** Check a running resource here. @param group the group @param resource the resource */
    record Monitor(String group, String resource) implements Action {
        public String render() {
            return "monitor " + group + "/" + resource;
        }
    }

    /** Stop a resource that runs here but is no longer defined. @param resource the resource */
    record StopOrphan(String resource) implements Action {
        public String group() {
            return "";
        }

        public String render() {
            return "stop-orphan " + resource;
        }
    }

    /**
     * Clear a switchover request from the cluster document: it completed, or it can no longer complete.
     *
     * @param group the group
     * @param moveTo the request being cleared
     */
    record ClearMove(String group, String moveTo) implements Action {
        public String resource() {
            return "";
        }

        public String render() {
            return "clear-move " + group + " (was to " + moveTo + ")";
        }
    }

    /**
     * Fence a lost node: make certain it runs nothing (power it off), so its groups may start elsewhere.
     *
     * @param node   the node to fence
     * @param reason why, for the log
     */
    record Fence(String node, String reason) implements Action {
        public String group() {
            return "";
        }

        public String resource() {
            return "";
        }

        public String render() {
            return "fence " + node + " (" + reason + ")";
        }
    }
}
